// Preloaded into benchmarked child processes (`node --import`): reports peak RSS on exit.
import { writeSync } from 'node:fs';
process.on('exit', () => {
  writeSync(2, `\nTARSIER_BENCH_MAXRSS_KB=${process.resourceUsage().maxRSS}\n`);
});
