/**
 * Whole-scan results on disk, next to the layer cache: an unchanged image scanned again with the
 * same analyzers, rules and detector code is answered without reading, merging or detecting
 * anything. The key covers everything a result depends on except the advisory database, which is
 * matched live against the stored inventory on every scan (a new advisory never needs a rescan).
 *
 * What the key holds, and why each part is enough:
 * - the config digest (hashed from the bytes read) and every layer's (blob digest, diffID, size):
 *   the same identity the layer cache trusts, so a hit here is exactly "every layer was cached";
 * - each analyzer's name@version (rule-set hashes included) and the hash of the merge/detector
 *   code ({@link resultCodeFingerprint});
 * - the detector options that change findings (report language, a custom sensitive rule set).
 * A corrupt or unreadable entry is a miss; writes are atomic (temp file + rename). Entries share
 * the directory's bound with the layer facts and are pruned least recently used first
 * (cache-prune.ts); a hit marks its entry used.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { readEntry, writeEntry } from '../analysis/cache-entry.js';
import type { ImageHead } from '../analysis/image-head.js';
import type { Inventory } from '../analysis/inventory.js';
import type { Analyzer } from '../analysis/types.js';
import type { Findings } from '../report/model.js';
import { resultCodeFingerprint } from './code-fingerprint.js';

/** Bump when the stored entry's shape changes. */
const ENTRY_FORMAT = 1;

/** A cached scan: the inventory and the findings of every detector except vulnerabilities. */
export interface CachedResult {
  inventory: Inventory;
  findings: Omit<Findings, 'vulnerabilities'>;
  /** What the detectors warned about when the result was made, replayed on a hit. */
  detectorWarnings: string[];
}

export interface ResultKeyInput {
  head: ImageHead;
  analyzers: readonly Analyzer[];
  /** Detector options that change the cached findings: report language, custom sensitive rules. */
  detect: { lang: string; sensitiveRules?: string };
}

export function resultKey(input: ResultKeyInput): string {
  const h = createHash('sha256');
  h.update(`result ${ENTRY_FORMAT}\0code ${resultCodeFingerprint()}\0config ${input.head.configDigest}\0`);
  input.head.manifest.layers.forEach((l, i) => h.update(`layer ${l.digest} ${input.head.diffIds[i]} ${l.size}\0`));
  for (const a of [...input.analyzers].sort((x, y) => x.name.localeCompare(y.name))) h.update(`analyzer ${a.name}@${a.version}\0`);
  h.update(`lang ${input.detect.lang}\0sensitive-rules ${input.detect.sensitiveRules ?? 'built-in'}\0`);
  return h.digest('hex');
}

function isCachedResult(v: unknown): v is CachedResult {
  const r = v as Partial<CachedResult> | null;
  return typeof r === 'object' && r !== null && typeof r.inventory === 'object' && r.inventory !== null && typeof r.findings === 'object' && r.findings !== null && Array.isArray(r.detectorWarnings);
}

export class ResultCache {
  constructor(readonly dir: string) {}

  private file(key: string): string {
    return join(this.dir, 'results', key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<CachedResult | undefined> {
    return readEntry(this.file(key), isCachedResult);
  }

  async put(key: string, result: CachedResult): Promise<void> {
    await writeEntry(this.file(key), JSON.stringify(result));
  }
}
