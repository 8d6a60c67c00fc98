/** Shared helpers for benchmarks: timing a child process with its peak RSS, and the gunzip floor. */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

const probe = fileURLToPath(new URL('./rss-probe.mjs', import.meta.url));
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export interface ChildRun {
  seconds: number;
  /** CPU time of the child, user + system, every thread (zlib's pool and workers included). */
  cpuSeconds: number;
  maxRssMiB: number;
  code: number;
  stderr: string;
}

/** Runs `node <args>` with the RSS probe preloaded; resolves with wall time and peak RSS. */
export function runNode(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', probe, ...args], {
      cwd: repoRoot,
      env: { ...process.env, CI: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.length > 1e6) stderr = stderr.slice(-1e5);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const m = /TARSIER_BENCH_MAXRSS_KB=(\d+)(?: TARSIER_BENCH_CPU_US=(\d+))?/.exec(stderr);
      resolve({
        seconds,
        cpuSeconds: m?.[2] ? Number(m[2]) / 1e6 : NaN,
        maxRssMiB: m ? Number(m[1]) / 1024 : NaN,
        code: code ?? -1,
        stderr: stderr.replace(/\n?TARSIER_BENCH_MAXRSS_KB=\d+(?: TARSIER_BENCH_CPU_US=\d+)?\n/, ''),
      });
    });
  });
}

/** Node's own streaming gunzip of the given files to nowhere: the decompression floor. */
export async function gunzipFloor(files: string[]): Promise<{ seconds: number; cpuSeconds: number; bytes: number }> {
  let bytes = 0;
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (const f of files) {
    await pipeline(
      createReadStream(f, { highWaterMark: 1 << 20 }),
      createGunzip({ chunkSize: 1 << 17 }),
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          cb();
        },
      }),
    );
  }
  const used = process.cpuUsage(cpu);
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, cpuSeconds: (used.user + used.system) / 1e6, bytes };
}

/** Best of `n` runs of an async measurement, by its `seconds`. */
export async function bestOf<T extends { seconds: number }>(n: number, fn: () => Promise<T>): Promise<T> {
  let best: T | undefined;
  for (let i = 0; i < n; i++) {
    const r = await fn();
    if (!best || r.seconds < best.seconds) best = r;
  }
  return best!;
}
