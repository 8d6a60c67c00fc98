/**
 * A service context (store, queue, locks, layer cache) on either backend, and a small real image
 * (Debian 12 with the real bookworm dpkg status) written as an OCI layout, for the re-match and
 * garbage-collection job tests.
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '../../src/analysis/analyze-image.js';
import { writeOciLayout } from '../../src/image/build/image-writer.js';
import { JobQueue, LeaseLock, type QueueTiming } from '../../src/jobs/queue.js';
import { openServiceContext, type ServiceContext } from '../../src/service/context.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { debianAppSpec } from '../helpers/build-test-images.js';
import { createServerDatabase, type Backend } from '../helpers/stores.js';

/**
 * The real service context (openServiceContext) on a fresh data directory: the embedded database
 * (a copy of the migrated template) or a fresh PostgreSQL database of its own. `dispose` closes
 * it and removes both.
 */
export async function openTestService(backend: 'pglite' | 'postgres', prefix: string): Promise<{ ctx: ServiceContext; dispose(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  const server = backend === 'postgres' ? await createServerDatabase() : undefined;
  if (!server && process.env.TARSIER_PGLITE_TEMPLATE) await cp(process.env.TARSIER_PGLITE_TEMPLATE, dataDir, { recursive: true });
  const ctx = await openServiceContext({ dataDir, databaseUrl: server?.url, leaseMs: 5_000 });
  return {
    ctx,
    async dispose() {
      await ctx.close();
      await server?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function serviceContext(backend: Backend, timing: QueueTiming): Promise<ServiceContext & { work: string }> {
  const handle = await backend.create();
  const work = await mkdtemp(join(tmpdir(), 'tarsier-service-fixture-'));
  const store = handle.store;
  return {
    store,
    box: SecretBox.fromKey(randomBytes(32)),
    queue: new JobQueue(store, timing),
    locks: new LeaseLock(store, timing.leaseMs),
    dataDir: work,
    cacheDir: join(work, 'layer-cache'),
    limits: DEFAULT_LIMITS,
    platform: 'linux/amd64',
    work,
    async close() {
      await handle.dispose();
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** The Debian 12 test image as an OCI layout under `dir`; returns its `oci:` reference. */
export async function debianImage(dir: string, name = 'debian-app', options: { zstd?: boolean } = {}): Promise<{ ref: string; digest: string }> {
  const path = join(dir, name);
  const written = await writeOciLayout(debianAppSpec(options), path);
  return { ref: `oci:${path}`, digest: written.manifestDigest };
}

/** One DSA (DSA-9999-n, CVE-2030-000n) in data/DSA/list format for bookworm's dash (the image has dash 0.5.12-2). */
export const dashDsa = (fixed: string, n = 2): string => `[01 Jan 2030] DSA-9999-${n} dash - security update
\t{CVE-2030-000${n}}
\t[bookworm] - dash ${fixed}
`;
