/**
 * The layer cache service workers use: the on-disk cache first, then facts other workers stored
 * in the store (layer_facts), and for a layer nobody has analysed yet a per-layer lease lock, so
 * when many queued images share a layer one worker analyses it and the others wait for its facts.
 *
 * The lock is taken at the first miss of a layer and released once every missed analyzer's facts
 * are put (or at the end of the scan, if the layer failed). A holder only reads and analyses its
 * layer, never waits for another lock meanwhile, so two scans cannot deadlock; a dead holder's
 * lease lapses and a waiter takes over. Waiting is bounded: past `maxWaitMs` the waiter analyses
 * the layer itself (duplicate work rather than a stuck scan).
 */
import { isLayerResult, LayerCache, WALKER_VERSION, type LayerKey } from '../analysis/layer-cache.js';
import type { Analyzer, AnalyzerLayerResult } from '../analysis/types.js';
import type { Store } from '../store/open-store.js';
import type { LeaseLock } from './queue.js';

export interface SharedLayerCacheOptions {
  /** How often a waiter looks again for the holder's facts; default 250 ms. */
  pollMs?: number;
  /** Longest wait for another worker's analysis of one layer; default 15 min. */
  maxWaitMs?: number;
}

interface HeldLayer {
  /** Analyzers that missed and whose facts are still to be put. */
  pending: Set<string>;
  stopRenewing: () => void;
}

function keyText(key: LayerKey): string {
  return typeof key === 'string' ? key : `${key.diffId}@${key.digest}`;
}

/** How layer_facts names an analyzer (garbage collection keeps only the current ones). */
export function analyzerText(a: Analyzer): string {
  return `${WALKER_VERSION}/${a.name}@${a.version}`;
}

export class SharedLayerCache extends LayerCache {
  private readonly held = new Map<string, HeldLayer>();
  /** Layers whose wait ran out: analysed here without the lock. */
  private readonly unlocked = new Set<string>();
  /** Layers this cache analysed (took the lock for, or gave up waiting on). */
  readonly analysedLayers = new Set<string>();

  constructor(
    dir: string,
    private readonly store: Store,
    private readonly locks: LeaseLock,
    private readonly owner: string,
    private readonly options: SharedLayerCacheOptions = {},
  ) {
    super(dir);
  }

  override async get(key: LayerKey, analyzer: Analyzer): Promise<AnalyzerLayerResult | undefined> {
    const local = await super.get(key, analyzer);
    if (local) return local;
    const k = keyText(key);
    const shared = await this.fromStore(k, analyzer, key);
    if (shared) return shared;
    const held = this.held.get(k);
    if (held) {
      held.pending.add(analyzer.name);
      return undefined;
    }
    if (this.unlocked.has(k)) return undefined;
    return this.lockOrWait(k, key, analyzer);
  }

  override async put(key: LayerKey, analyzer: Analyzer, result: AnalyzerLayerResult): Promise<void> {
    const k = keyText(key);
    try {
      await this.store.query(
        `INSERT INTO layer_facts (layer_key, analyzer, result, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (layer_key, analyzer) DO NOTHING`,
        [k, analyzerText(analyzer), JSON.stringify(result), Date.now()],
      );
      await super.put(key, analyzer, result);
    } finally {
      const held = this.held.get(k);
      held?.pending.delete(analyzer.name);
      if (held && held.pending.size === 0) await this.release(k);
    }
  }

  /** Lets go of every layer lock still held (a layer whose analysis failed); call when the scan ends. */
  async releaseAll(): Promise<void> {
    for (const k of [...this.held.keys()]) await this.release(k);
  }

  private async lockOrWait(k: string, key: LayerKey, analyzer: Analyzer): Promise<AnalyzerLayerResult | undefined> {
    const name = `layer:${k}`;
    const deadline = Date.now() + (this.options.maxWaitMs ?? 15 * 60_000);
    for (;;) {
      if (await this.locks.tryAcquire(name, this.owner)) {
        // The previous holder may have finished between our look and the lock.
        const shared = await this.fromStore(k, analyzer, key);
        if (shared) {
          await this.locks.release(name, this.owner);
          return shared;
        }
        this.held.set(k, { pending: new Set([analyzer.name]), stopRenewing: this.locks.keepRenewed(name, this.owner) });
        this.analysedLayers.add(k);
        return undefined;
      }
      if (Date.now() >= deadline) {
        this.unlocked.add(k);
        this.analysedLayers.add(k);
        return undefined;
      }
      await new Promise((r) => setTimeout(r, this.options.pollMs ?? 250));
      const shared = await this.fromStore(k, analyzer, key);
      if (shared) return shared;
    }
  }

  private async fromStore(k: string, analyzer: Analyzer, key: LayerKey): Promise<AnalyzerLayerResult | undefined> {
    const rows = await this.store.query<{ result: string }>(`SELECT result FROM layer_facts WHERE layer_key = $1 AND analyzer = $2`, [k, analyzerText(analyzer)]);
    if (!rows[0]) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(rows[0].result);
    } catch {
      return undefined;
    }
    if (!isLayerResult(parsed)) return undefined;
    // Keep a local copy so the next scan on this machine does not ask the store.
    await super.put(key, analyzer, parsed).catch(() => undefined);
    return parsed;
  }

  private async release(k: string): Promise<void> {
    const held = this.held.get(k);
    if (!held) return;
    held.stopRenewing();
    this.held.delete(k);
    await this.locks.release(`layer:${k}`, this.owner);
  }
}
