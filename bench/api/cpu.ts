/**
 * CPU time spent per request by the server process and its PostgreSQL backends, read from
 * /proc (Linux, local server): on a machine shared with other work, throughput and latency
 * measure the neighbours as much as the code, CPU per request does not.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';

/** Linux reports utime/stime in clock ticks of 1/100 s on every common configuration. */
const TICK_MS = 10;

function cpuMsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 on: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

/**
 * The backends serving a database (the server's pool), by pid. Parallel query workers come and go
 * within a statement, so they cannot be sampled before and after a run: they are left out (their
 * CPU is not counted), and a run is not lost because one of them had exited.
 */
export async function backendPids(adminUrl: string, database: string): Promise<number[]> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const r = await c.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`, [database]);
    return r.rows.map((x) => x.pid);
  } finally {
    await c.end();
  }
}

export interface CpuSample {
  pids: number[];
  ms: number[];
}

export function sampleCpu(pids: number[]): CpuSample | undefined {
  const ms = pids.map(cpuMsOf);
  return ms.every((m) => m !== undefined) ? { pids, ms: ms as number[] } : undefined;
}

/** CPU milliseconds spent between two samples of the same processes, or undefined if one went away. */
export function cpuSpent(before: CpuSample | undefined, after: CpuSample | undefined): number | undefined {
  if (!before || !after || before.pids.join() !== after.pids.join()) return undefined;
  return after.ms.reduce((s, m, i) => s + m - before.ms[i]!, 0);
}
