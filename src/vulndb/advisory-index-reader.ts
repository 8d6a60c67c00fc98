/**
 * Reads the derived advisory index of an embedded store for one inventory: the namespaces the
 * image can match, checksum-verified, parsing only the records that name one of its packages.
 * Returns undefined whenever the index cannot be trusted (absent, other cluster, damaged), and the
 * caller reads the database as before.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Inventory } from '../analysis/inventory.js';
import { buildIndex, lookupKeys, type AdvisoryIndex } from '../detect/vulns/match.js';
import { clusterIdentifier, INDEX_FORMAT, indexRoot, manifestPath, sha256, type IndexManifest } from './advisory-index-files.js';
import type { Advisory } from './types.js';

export interface IndexedAdvisories {
  index: AdvisoryIndex;
  /** Advisory sources in the store when the index was built. */
  sources: number;
}

function currentManifest(dataDir: string): IndexManifest | undefined {
  let manifest: IndexManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath(dataDir), 'utf8')) as IndexManifest;
  } catch {
    return undefined;
  }
  if (manifest.format !== INDEX_FORMAT || typeof manifest.namespaces !== 'object') return undefined;
  const cluster = clusterIdentifier(dataDir);
  return cluster !== undefined && manifest.cluster === cluster ? manifest : undefined;
}

export function loadIndexFromFiles(dataDir: string, inventory: Inventory): IndexedAdvisories | undefined {
  const manifest = currentManifest(dataDir);
  if (!manifest) return undefined;
  const wanted = new Map<string, Set<string>>();
  for (const k of lookupKeys(inventory)) {
    const names = wanted.get(k.namespace) ?? new Set<string>();
    names.add(k.name);
    wanted.set(k.namespace, names);
  }
  const byPk = new Map<number, Advisory>();
  const present = new Set<string>();
  for (const [ns, names] of wanted) {
    const entry = manifest.namespaces[ns];
    if (!entry) continue;
    present.add(ns);
    let text: string;
    try {
      const bytes = readFileSync(join(indexRoot(dataDir), manifest.dir, entry.file));
      if (bytes.length !== entry.bytes || sha256(bytes) !== entry.sha256) return undefined;
      text = gunzipSync(bytes).toString('utf8');
    } catch {
      return undefined;
    }
    for (let start = 0; start < text.length; ) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const tab1 = text.indexOf('\t', start);
      const tab2 = text.indexOf('\t', tab1 + 1);
      const pk = Number(text.slice(start, tab1));
      if (!byPk.has(pk)) {
        const lineNames = JSON.parse(text.slice(tab1 + 1, tab2)) as string[];
        if (lineNames.some((n) => names.has(n))) byPk.set(pk, JSON.parse(text.slice(tab2 + 1, end)) as Advisory);
      }
      start = end + 1;
    }
  }
  // In key order, as the database returns them, so the matcher sees the same sequence either way.
  const advisories = [...byPk].sort(([a], [b]) => a - b).map(([, a]) => a);
  return { index: buildIndex(advisories, { knownNamespaces: present }), sources: manifest.sources };
}
