// Preloaded into benchmarked child processes (`node --import`): reports peak RSS and CPU time
// (user + system, all threads of the process) on exit.
import { writeSync } from 'node:fs';
process.on('exit', () => {
  const u = process.resourceUsage();
  writeSync(2, `\nTARSIER_BENCH_MAXRSS_KB=${u.maxRSS} TARSIER_BENCH_CPU_US=${u.userCPUTime + u.systemCPUTime}\n`);
});
