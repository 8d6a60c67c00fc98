/**
 * Re-matching: after the advisory database changes, every stored manifest is matched again and its
 * vulnerability findings replaced — without reading a single layer.
 *
 * `rematchAll` loads once the advisories that any stored package can be looked up by (from the
 * distinct packages of the package index, not per manifest) and builds one index, so the matcher's
 * per-package memo serves every manifest sharing a package version. Manifests then go in pages:
 * read their packages, match, and write only the manifests whose findings changed, the write of one
 * page overlapping the matching of the next.
 */
import { packageInventory, type Inventory, type InventoryPackage } from '../analysis/inventory.js';
import type { OsInfo } from '../analysis/types.js';
import { buildIndex, matchInventory, type AdvisoryIndex } from '../detect/vulns/match.js';
import type { ReportVulnerability } from '../report/model.js';
import type { Store } from '../store/open-store.js';
import { replaceVulnFindingsBulk } from '../store/queries/vuln-findings-write.js';
import { advisoriesFor, type PackageKey } from '../vulndb/advisory-store.js';
import { lookupKeys, namespacesPresent } from '../vulndb/index-loader.js';

export interface RematchResult {
  manifests: number;
  findings: number;
  /** Manifests whose stored findings changed (and were rewritten). */
  changed: number;
}

const PAGE = 500;

/**
 * What matching reads of stored manifests, lean: the OS and, per package, only the fields the
 * matcher looks at (not the path and purl, which are most of a row's bytes). Packages in stored
 * order. Used for whole-store re-matches, where reading the package index is most of the work.
 */
export async function loadForMatching(store: Store, digests: string[]): Promise<Map<string, Pick<Inventory, 'os' | 'packages'>>> {
  const out = new Map<string, Pick<Inventory, 'os' | 'packages'>>();
  const manifests = await store.query<{ digest: string; os: string | null }>('SELECT digest, os::text AS os FROM manifests WHERE digest = ANY($1::text[])', [digests]);
  for (const m of manifests) out.set(m.digest, { os: m.os === null ? null : (JSON.parse(m.os) as OsInfo), packages: [] });
  const rows = await store.query<{
    d: string;
    type: InventoryPackage['type'];
    name: string;
    version: string;
    source: string | null;
    source_version: string | null;
    evidence: string | null;
    modularity_label: string | null;
    layer: string;
  }>(
    `SELECT manifest_digest AS d, type, name, version, source, source_version, evidence, modularity_label, layer_diff_id AS layer
     FROM manifest_packages WHERE manifest_digest = ANY($1::text[]) ORDER BY manifest_digest, ordinal`,
    [digests],
  );
  for (const r of rows) {
    out.get(r.d)?.packages.push({
      type: r.type,
      name: r.name,
      version: r.version,
      ...(r.source !== null ? { source: r.source } : {}),
      ...(r.source_version !== null ? { sourceVersion: r.source_version } : {}),
      ...(r.evidence === 'manifest' || r.evidence === 'file-name' ? { evidence: r.evidence } : {}),
      ...(r.modularity_label !== null ? { modularityLabel: r.modularity_label } : {}),
      layerDiffId: r.layer,
      path: '',
      purl: '',
    });
  }
  return out;
}

async function matchAndWrite(store: Store, digests: string[], index: AdvisoryIndex, now: Date): Promise<{ findings: number; write: () => Promise<number> }> {
  const inputs = await loadForMatching(store, digests);
  const results = new Map<string, ReportVulnerability[]>();
  let findings = 0;
  for (const [digest, input] of inputs) {
    const { vulnerabilities } = matchInventory(packageInventory({ digest }, input.os, input.packages), index, { now });
    results.set(digest, vulnerabilities);
    findings += vulnerabilities.length;
  }
  return { findings, write: () => replaceVulnFindingsBulk(store, results) };
}

/** Re-matches these manifests, loading just their advisories. Returns the number of findings. */
export async function rematchDigests(store: Store, digests: string[], now = new Date()): Promise<number> {
  const inputs = await loadForMatching(store, digests);
  const keys = [...inputs].flatMap(([d, input]) => lookupKeys(packageInventory({ digest: d }, input.os, input.packages)));
  const index = await indexFor(store, keys);
  const page = await matchAndWrite(store, digests, index, now);
  await page.write();
  return page.findings;
}

async function indexFor(store: Store, keys: PackageKey[]): Promise<AdvisoryIndex> {
  const [advisories, present] = await Promise.all([advisoriesFor(store, keys), namespacesPresent(store, keys.map((k) => k.namespace))]);
  return buildIndex(advisories, { knownNamespaces: present });
}

/**
 * Every key any stored package can be looked up by: the distinct packages of the package index
 * under each distinct stored OS (a superset — a package is also tried under OSes it is not
 * installed on, which finds nothing it should not, as matching still goes per manifest).
 */
async function storedLookupKeys(store: Store): Promise<PackageKey[]> {
  const oses = await store.query<{ os: string | null }>('SELECT DISTINCT os::text AS os FROM manifests');
  const packages = (
    await store.query<{ type: InventoryPackage['type']; name: string; source: string | null; evidence: string | null }>(
      'SELECT DISTINCT type, name, source, evidence FROM manifest_packages',
    )
  ).map(
    (p): InventoryPackage => ({
      type: p.type,
      name: p.name,
      version: '',
      ...(p.source !== null ? { source: p.source } : {}),
      ...(p.evidence === 'manifest' || p.evidence === 'file-name' ? { evidence: p.evidence } : {}),
      layerDiffId: '',
      path: '',
      purl: '',
    }),
  );
  const keys = new Map<string, PackageKey>();
  for (const { os } of oses) {
    for (const k of lookupKeys(packageInventory({ digest: '' }, os === null ? null : (JSON.parse(os) as OsInfo), packages))) keys.set(`${k.namespace}\u0000${k.name}`, k);
  }
  return [...keys.values()];
}

export async function rematchAll(store: Store, onProgress?: (done: number, total: number) => void, now = new Date()): Promise<RematchResult> {
  const digests = (await store.db.selectFrom('manifests').select('digest').orderBy('digest').execute()).map((r) => r.digest);
  if (digests.length === 0) return { manifests: 0, findings: 0, changed: 0 };
  const index = await indexFor(store, await storedLookupKeys(store));
  let findings = 0;
  let changed = 0;
  let writing: Promise<void> = Promise.resolve();
  try {
    for (let i = 0; i < digests.length; i += PAGE) {
      const page = await matchAndWrite(store, digests.slice(i, i + PAGE), index, now);
      findings += page.findings;
      await writing;
      const done = Math.min(i + PAGE, digests.length);
      writing = page.write().then((n) => {
        changed += n;
        onProgress?.(done, digests.length);
      });
      // awaited above or below; this only keeps it from counting as unhandled meanwhile
      writing.catch(() => undefined);
    }
  } finally {
    await writing.catch(() => undefined);
  }
  await writing;
  return { manifests: digests.length, findings, changed };
}
