/**
 * How a CLI scan reaches the advisory database: the server (DATABASE_URL) or the embedded one in
 * the data directory, opened only if it exists — a first scan never pays for creating an empty
 * database — and only after the image is analysed, so the two memory peaks never overlap.
 * On the embedded store a current derived index (advisory-index-files.ts) is read instead of the
 * database; an absent, stale or damaged one falls back to the database silently.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '../analysis/inventory.js';
import type { AdvisoryIndex } from '../detect/vulns/match.js';
import type { Store } from '../store/open-store.js';

export interface AdvisoryAccess {
  /** For DetectOptions.advisories; undefined when there is no database to match against. */
  loader?: (inventory: Inventory) => Promise<AdvisoryIndex>;
  close(): Promise<void>;
}

const EMPTY = 'the advisory database is empty: vulnerabilities were not checked (run `tarsier db import PATH` or `tarsier db update`)';

export function embeddedDatabaseExists(dataDir: string): boolean {
  return existsSync(join(dataDir, 'pgdata', 'PG_VERSION'));
}

export function advisoryAccess(opts: { dataDir: string; databaseUrl?: string; warn: (m: string) => void }): AdvisoryAccess {
  const url = opts.databaseUrl ?? process.env.DATABASE_URL;
  if (!url && !embeddedDatabaseExists(opts.dataDir)) {
    opts.warn(`no advisory database in ${opts.dataDir}: vulnerabilities were not checked (run \`tarsier db import PATH\` or \`tarsier db update\`)`);
    return { close: async () => undefined };
  }
  let store: Store | undefined;
  return {
    loader: async (inventory) => {
      if (!url) {
        // The embedded store's derived index, when current: no PGlite start (seconds of CPU) at all.
        const { loadIndexFromFiles } = await import('./advisory-index-reader.js');
        const fromFiles = loadIndexFromFiles(opts.dataDir, inventory);
        if (fromFiles) {
          if (fromFiles.sources === 0) opts.warn(EMPTY);
          return fromFiles.index;
        }
      }
      // Loaded on first use: a scan that never matches never pays for the database driver.
      const [{ openStore }, { sourceStatus }, { loadIndexFor }] = await Promise.all([import('../store/open-store.js'), import('./advisory-store.js'), import('./index-loader.js')]);
      try {
        store ??= await openStore({ dataDir: opts.dataDir, databaseUrl: url });
      } catch (err) {
        // A running `tarsier serve` holds the embedded database: the scan still reports everything else.
        opts.warn(`${(err as Error).message.split('\n')[0]}; vulnerabilities were not checked`);
        const { buildIndex } = await import('../detect/vulns/match.js');
        return buildIndex([]);
      }
      if ((await sourceStatus(store)).length === 0) {
        opts.warn(EMPTY);
      }
      return loadIndexFor(store, inventory);
    },
    close: async () => {
      await store?.close();
    },
  };
}
