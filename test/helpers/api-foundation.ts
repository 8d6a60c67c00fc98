/**
 * An API app on a fresh embedded store for `fastify.inject` tests, and an independent reference
 * signer (test/api/vendor_signatures.py, Python's hmac/hashlib) for signed requests.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { buildApp, type ApiApp, type AppOptions } from '../../src/api/app.js';
import { JobQueue } from '../../src/jobs/queue.js';
import { SecretBox } from '../../src/store/secret-box.js';
import type { Store } from '../../src/store/open-store.js';
import type { ApiServices } from '../../src/api/types.js';
import { backends } from './stores.js';

export interface ApiFixture extends ApiApp {
  store: Store;
  services: ApiServices;
  close(): Promise<void>;
}

export async function apiFixture(opts: Omit<AppOptions, 'services'> = {}): Promise<ApiFixture> {
  const handle = await backends.find((b) => b.name === 'pglite')!.create();
  const services: ApiServices = { store: handle.store, box: SecretBox.fromKey(randomBytes(32)), queue: new JobQueue(handle.store) };
  const api = await buildApp({ processMetrics: false, ...opts, services });
  await api.app.ready();
  return {
    ...api,
    store: handle.store,
    services,
    async close() {
      await api.app.close();
      await handle.dispose();
    },
  };
}

export type SignSpec =
  | { scheme: 'hss'; ak: string; sk: string; method: string; path: string; query: [string, string][]; headers: Record<string, string>; body: string; sdkDate: string }
  | { scheme: 'aliyun-v1'; sk: string; method: string; params: [string, string][] }
  | { scheme: 'aliyun-v3'; ak: string; sk: string; method: string; path: string; query: [string, string][]; headers: Record<string, string>; body: string };

const SCRIPT = fileURLToPath(new URL('../api/vendor_signatures.py', import.meta.url));

/** Signs every spec with the Python reference implementation (one process for the batch). */
export function referenceSign(specs: SignSpec[]): string[] {
  const res = spawnSync('python3', [SCRIPT], { input: JSON.stringify(specs), encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`vendor_signatures.py failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as string[];
}

/** Query string as the SDKs send it: RFC 3986 percent-encoding. */
export function encodeQuery(pairs: [string, string][]): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}

export function sdkDate(t: number): string {
  return new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function aliyunTimestamp(t: number): string {
  return new Date(t).toISOString().replace(/\.\d{3}/, '');
}
