/**
 * Loads from the store exactly the advisories that can concern one inventory and builds the
 * matcher's index over them: matching an image costs one indexed query, not a whole-DB load.
 */
import type { Inventory } from '../analysis/inventory.js';
import { buildIndex, lookupKeys, type AdvisoryIndex } from '../detect/vulns/match.js';
import type { Store } from '../store/open-store.js';
import { advisoriesFor } from './advisory-store.js';

export { lookupKeys };

/** Namespaces among `candidates` that have any advisory in the store (one index probe each). */
export async function namespacesPresent(store: Store, candidates: string[]): Promise<Set<string>> {
  const present = new Set<string>();
  for (const ns of new Set(candidates)) {
    const rows = await store.query<{ hit: boolean }>('SELECT EXISTS (SELECT 1 FROM advisory_packages WHERE namespace = $1) AS hit', [ns]);
    if (rows[0]?.hit) present.add(ns);
  }
  return present;
}

export async function loadIndexFor(store: Store, inventory: Inventory): Promise<AdvisoryIndex> {
  const keys = lookupKeys(inventory);
  const [advisories, present] = await Promise.all([advisoriesFor(store, keys), namespacesPresent(store, keys.map((k) => k.namespace))]);
  // The partial index only holds this image's advisories; the store knows every namespace, so
  // "no advisories for debian:10 in the database" is said only when it is true.
  return buildIndex(advisories, { knownNamespaces: present });
}
