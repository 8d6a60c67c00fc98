/**
 * The commands as a user runs them, on one embedded store: `tarsier token create`, `access-key
 * create` and `token revoke` through the CLI entry (in-process: each spawn would pay the TypeScript
 * loader again), and `serve` as a real process on a free port, stopped with SIGTERM.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { openStore } from '../../src/store/open-store.js';
import { verifyToken } from '../../src/store/projects-repo.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = ['--import', 'tsx', 'src/cli/dev-entry.ts'];
const env: NodeJS.ProcessEnv = { ...process.env, TARSIER_LOG_LEVEL: 'warn' };
delete env.DATABASE_URL;
delete env.TARSIER_SECRET_KEY;
let dataDir: string;

/** Runs the CLI in this process, capturing what it writes. */
async function tarsier(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const saved = { DATABASE_URL: process.env.DATABASE_URL, TARSIER_SECRET_KEY: process.env.TARSIER_SECRET_KEY };
  delete process.env.DATABASE_URL;
  delete process.env.TARSIER_SECRET_KEY;
  try {
    const status = await main(['node', 'tarsier', ...args]);
    return { status, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tarsier-serve-'));
  if (process.env.TARSIER_PGLITE_TEMPLATE) await cp(process.env.TARSIER_PGLITE_TEMPLATE, dataDir, { recursive: true });
});
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('tarsier token, access-key and serve', () => {
  let token = '';
  let tokenId = '';

  it('creates a token (creating the project) and prints it alone on the last line', async () => {
    const res = await tarsier(['token', 'create', '--project', 'demo', '--enterprise-project', 'ep1', '--expires', '30d', '--data-dir', dataDir]);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    token = lines[lines.length - 1]!;
    expect(token).toMatch(/^tsk_[A-Za-z0-9_-]{43}$/);
    tokenId = /^token id: (\S+)$/m.exec(res.stdout)![1]!;
    expect(res.stdout).toMatch(/^expires: \d{4}-\d{2}-\d{2}T/m);
  });

  it('refuses a bad --expires with one line and exit code 2', async () => {
    const res = await tarsier(['token', 'create', '--project', 'demo', '--expires', 'tomorrow', '--data-dir', dataDir]);
    expect(res.status).toBe(2);
    expect(res.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/--expires "tomorrow": expected a duration/);
  });

  it('creates an access key and shows its secret once', async () => {
    const res = await tarsier(['access-key', 'create', '--project', 'demo', '--data-dir', dataDir]);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^AK: TSAK[A-Z2-7]{16}$/m);
    expect(res.stdout).toMatch(/^SK: [A-Za-z0-9_-]{40}$/m);
  });

  it('serves on a free port, answers health and errors over HTTP, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [...ENTRY, 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const base = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 45_000);
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
      });
      expect(stdout).toMatch(/embedded store, 1 worker/);

      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect(health.headers.get('x-request-id')).toMatch(/^[0-9A-F-]{36}$/);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);

      const missing = await fetch(`${base}/v5/demo/image/none`, { headers: { 'x-auth-token': token } });
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ error_code: 'APIG.0101' });
      const unknownAction = await fetch(`${base}/?Action=NoSuchAction&Version=2018-12-03`, { method: 'POST', headers: { 'x-auth-token': token } });
      expect(unknownAction.status).toBe(404);
      expect(await unknownAction.json()).toMatchObject({ Code: 'InvalidAction.NotFound' });
      const spec = await fetch(`${base}/openapi.json`);
      expect(((await spec.json()) as { openapi: string }).openapi).toBe('3.0.3');
      expect((await fetch(`${base}/metrics`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 15_000))]);
    if (code === 'still running') child.kill('SIGKILL');
    expect(code).toBe(0);
    expect(stderr).toMatch(/serve: stopped/);
  });

  it('stored the token hashed with its scope, and revokes it', async () => {
    const store = await openStore({ dataDir });
    try {
      expect(await verifyToken(store, token)).toEqual({ projectId: 'demo', enterpriseProjects: ['ep1'], tokenId });
      const rows = await store.db.selectFrom('api_tokens').select('token_hash').execute();
      expect(rows.some((r) => r.token_hash.includes(token))).toBe(false);
    } finally {
      await store.close();
    }
    const revoked = await tarsier(['token', 'revoke', tokenId, '--data-dir', dataDir]);
    expect(revoked.status).toBe(0);
    expect(revoked.stdout).toBe(`revoked token ${tokenId}\n`);
    const again = await tarsier(['token', 'revoke', tokenId, '--data-dir', dataDir]);
    expect(again.status).toBe(2);
    expect(again.stderr).toBe(`tarsier: token ${tokenId} does not exist or is already revoked\n`);
  });
});
