/**
 * Servers under load run in their own processes, never in the process running autocannon: the
 * Fastify hello-world floor, and `tarsier serve` from source on the benchmark database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../measure.js';

export interface ServerProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const helloWorld = fileURLToPath(new URL('./hello-world.mjs', import.meta.url));

/** Starts `node <args>` and resolves once it prints `listening on <url>`. */
function startListening(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within 60 s: ${err.slice(-2000)}`));
    }, 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-20_000);
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+?)(?:\s|$)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      resolve({
        url: m[1]!,
        pid: child.pid!,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening: ${err.slice(-2000)}`));
    });
  });
}

export function startHelloWorld(): Promise<ServerProcess> {
  return startListening('hello-world', [helloWorld], {});
}

/**
 * `tarsier serve --no-worker` from source (tsx transpiles once at load; what runs is the same
 * JavaScript as the build), logging warnings only: a per-request access log would measure stderr.
 */
export function startTarsier(databaseUrl: string, dataDir: string): Promise<ServerProcess> {
  return startListening('tarsier serve', ['--import', 'tsx', 'src/cli/dev-entry.ts', 'serve', '--no-worker', '--port', '0', '--data-dir', dataDir], {
    DATABASE_URL: databaseUrl,
    TARSIER_LOG_LEVEL: 'warn',
  });
}
