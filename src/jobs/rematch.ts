/**
 * Re-matching: after the advisory database changes, every stored manifest is matched again and its
 * vulnerability findings replaced — without reading a single layer. Manifests go in pages: one
 * advisory query per page (the union of the page's package keys), one index, one transaction.
 */
import type { Inventory } from '../analysis/inventory.js';
import { buildIndex, matchInventory } from '../detect/vulns/match.js';
import type { ReportVulnerability } from '../report/model.js';
import { loadMatchInputs, replaceVulnFindingsMany } from '../store/analysis-repo.js';
import type { Store } from '../store/open-store.js';
import { advisoriesFor } from '../vulndb/advisory-store.js';
import { lookupKeys, namespacesPresent } from '../vulndb/index-loader.js';

export interface RematchResult {
  manifests: number;
  findings: number;
}

const PAGE = 250;

/** A minimal inventory for the matcher from what the package index holds. */
function matchable(digest: string, input: Pick<Inventory, 'os' | 'packages'>): Inventory {
  return {
    artifact: { ref: digest, type: 'registry', digest, configDigest: '', size: 0, layers: [], platform: '' },
    os: input.os,
    packages: input.packages.map((p) => ({ ...p, layerDiffId: p.layerDiffId })),
    files: {},
    symlinks: {},
    specialModes: [],
    sensitive: [],
    config: {},
    history: [],
    warnings: [],
  };
}

export async function rematchDigests(store: Store, digests: string[], now = new Date()): Promise<number> {
  const inputs = await loadMatchInputs(store, digests);
  const inventories = [...inputs].map(([d, input]) => matchable(d, input));
  const keys = inventories.flatMap(lookupKeys);
  const [advisories, present] = await Promise.all([advisoriesFor(store, keys), namespacesPresent(store, keys.map((k) => k.namespace))]);
  const index = buildIndex(advisories, { knownNamespaces: present });
  const results = new Map<string, ReportVulnerability[]>();
  let findings = 0;
  for (const inv of inventories) {
    const { vulnerabilities } = matchInventory(inv, index, { now });
    results.set(inv.artifact.digest, vulnerabilities);
    findings += vulnerabilities.length;
  }
  await replaceVulnFindingsMany(store, results);
  return findings;
}

export async function rematchAll(store: Store, onProgress?: (done: number, total: number) => void): Promise<RematchResult> {
  const digests = (await store.db.selectFrom('manifests').select('digest').orderBy('digest').execute()).map((r) => r.digest);
  let findings = 0;
  for (let i = 0; i < digests.length; i += PAGE) {
    findings += await rematchDigests(store, digests.slice(i, i + PAGE));
    onProgress?.(Math.min(i + PAGE, digests.length), digests.length);
  }
  return { manifests: digests.length, findings };
}
