/**
 * Once per test run: create and migrate one embedded database as a template. Store tests copy it
 * instead of running PGlite's initdb (~3 s, ~800 MB RSS) for every test file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/open-store.js';

export default async function setup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'tarsier-pglite-template-'));
  const store = await openStore({ dataDir: dir });
  await store.close();
  process.env.TARSIER_PGLITE_TEMPLATE = dir;
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
