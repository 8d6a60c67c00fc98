/**
 * The `scan` job: pull one image reference, analyse its manifest (once, whoever else wants the
 * same digest at the same time), store the analysis and findings, and move the reference's
 * HSS scan status along. Failures end in the right failed code; retryable ones are retried.
 */
import { TarsierError } from '../errors.js';
import { openImage } from '../image/open-image.js';
import type { ScanLimits } from '../analysis/analyze-image.js';
import { scanSource } from '../scan/pipeline.js';
import { saveAnalysis } from '../store/analysis-repo.js';
import { advisoryGeneration } from '../vulndb/advisory-generation.js';
import { loadIndexFor } from '../vulndb/index-loader.js';
import { sensitiveFingerprint, vulnFingerprint } from '../store/fingerprints.js';
import { recordSightings, setScanStatus } from '../store/images-repo.js';
import type { Store } from '../store/open-store.js';
import { registryCredentials } from '../store/registries-repo.js';
import type { SecretBox } from '../store/secret-box.js';
import { currentAnalysisFingerprint, reuseStoredAnalysis } from './analysis-reuse.js';
import { recordImageSignature, shareSignatureLookup } from './image-signature.js';
import type { Job, LeaseLock } from './queue.js';
import { rematchDigests } from './rematch.js';
import { SharedLayerCache } from './shared-layer-cache.js';

export interface ScanJobDeps {
  store: Store;
  locks: LeaseLock;
  box: SecretBox;
  cacheDir: string;
  owner: string;
  limits: ScanLimits;
  platform: string;
  /** How often to retry a manifest lock held by another worker. */
  lockPollMs?: number;
  log?: (line: string) => void;
  /** Seam for tests: runs after matching, right before the analysis is saved (e.g. to import advisories there). */
  beforeSave?: (digest: string) => Promise<void>;
}

export interface ScanJobResult extends Record<string, unknown> {
  imageId: string;
  digest?: string;
  analysed: boolean;
  /** Layers this scan read and analysed itself (the rest came from a cache or another worker). */
  layersAnalysed?: number;
  skipped?: string;
}

export async function runScanJob(deps: ScanJobDeps, job: Job): Promise<ScanJobResult> {
  const imageId = String(job.payload.imageId ?? '');
  const image = await deps.store.db.selectFrom('images').selectAll().where('id', '=', imageId).executeTakeFirst();
  if (!image) return { imageId, analysed: false, skipped: 'image reference was deleted' };
  await setScanStatus(deps.store, imageId, { status: 'scanning' });

  const creds = image.registry_id ? await registryCredentials(deps.store, deps.box, image.registry_id) : undefined;
  const source = await openImage(image.reference, {
    platform: deps.platform,
    insecure: creds?.insecure,
    username: creds?.username,
    password: creds?.password,
    maxImageBytes: deps.limits.maxImageBytes,
  });
  shareSignatureLookup(source);
  try {
    const manifest = await source.manifest();
    const digest = manifest.digest;
    const analyzerSet = currentAnalysisFingerprint();
    let analysed = false;
    const lockName = `manifest:${digest}`;
    while (!(await deps.locks.tryAcquire(lockName, deps.owner))) {
      // Someone else is analysing this digest right now; wait and then reuse their work.
      await new Promise((r) => setTimeout(r, deps.lockPollMs ?? 250));
    }
    const stopRenewing = deps.locks.keepRenewed(lockName, deps.owner);
    // Layers other workers analysed are read from the store; one nobody has is analysed by one worker only.
    const cache = new SharedLayerCache(deps.cacheDir, deps.store, deps.locks, deps.owner, { pollMs: deps.lockPollMs });
    try {
      // Up to date, or only some detectors' findings out of date (redone from the stored inventory): no scan.
      if ((await reuseStoredAnalysis(deps.store, digest, { current: analyzerSet, log: deps.log })) === 'scan') {
        // The advisory generation matched against, read before the advisories themselves (see below).
        let matchedGeneration: string | undefined;
        const outcome = await scanSource(source, {
          cache,
          limits: deps.limits,
          platform: deps.platform,
          detect: {
            ignoreUnfixed: false,
            advisories: async (inv) => {
              matchedGeneration ??= await advisoryGeneration(deps.store);
              return loadIndexFor(deps.store, inv);
            },
            onWarning: (m) => deps.log?.(`warning: ${image.reference}: ${m}`),
          },
          onWarning: (m) => deps.log?.(`warning: ${image.reference}: ${m}`),
        });
        await deps.beforeSave?.(digest);
        await saveAnalysis(deps.store, { inventory: outcome.inventory, findings: outcome.findings, analyzerSet });
        analysed = true;
        // An import that landed after we loaded advisories may have had its re-match run before this
        // analysis was stored (so it skipped it): match the stored inventory again. An import after
        // this check re-matches with the analysis already stored.
        if (matchedGeneration !== undefined && matchedGeneration !== (await advisoryGeneration(deps.store))) {
          deps.log?.(`${digest}: advisories changed during the scan; matching the stored inventory again`);
          await rematchDigests(deps.store, [digest]);
        }
      } else {
        // Reusing an analysis no reference may point to yet: restart garbage collection's clock (gc.ts).
        await deps.store.query('DELETE FROM gc_marks WHERE manifest_digest = $1', [digest]);
      }
    } finally {
      stopRenewing();
      await cache.releaseAll();
      await deps.locks.release(lockName, deps.owner);
    }
    const now = Date.now();
    // A sync may have removed the reference (its tag was deleted) while we scanned: the analysis stays, nothing to record.
    const stillThere = await deps.store.db.selectFrom('images').select('id').where('id', '=', imageId).executeTakeFirst();
    if (!stillThere) return { imageId, digest, analysed, skipped: 'image reference was deleted during the scan' };
    const [sens, vulns] = await Promise.all([
      deps.store.db.selectFrom('sensitive_findings').select(['key', 'path', 'md5']).where('manifest_digest', '=', digest).execute(),
      deps.store.db.selectFrom('vuln_findings').select(['vuln_id', 'package_type', 'package_name']).where('manifest_digest', '=', digest).execute(),
    ]);
    await recordSightings(deps.store, imageId, 'sensitive', sens.map((s) => sensitiveFingerprint(s)), now);
    await recordSightings(deps.store, imageId, 'vuln', vulns.map((v) => vulnFingerprint({ id: v.vuln_id, packageType: v.package_type, packageName: v.package_name })), now);
    // BCR-021 is this reference's (its repository's signatures), asked on every scan, a reuse too:
    // an image signed after its scan stops showing it. The pipeline already warned on a failed lookup.
    await recordImageSignature(deps.store, imageId, source, { now, label: image.reference, log: analysed ? undefined : deps.log });
    await setScanStatus(deps.store, imageId, { status: 'success', digest, size: manifest.size, scannedAt: now });
    // Garbage collection cannot take it from here on (a reference points to it); had it taken it
    // just before, scan again (the grace period makes this all but impossible; gc.ts).
    const kept = await deps.store.db.selectFrom('manifests').select('digest').where('digest', '=', digest).executeTakeFirst();
    if (!kept) throw new TarsierError('database_error', `the stored analysis of ${digest} was garbage-collected during the scan; scanning again`);
    // The tag digest a sync saw before this scan began: a sync skips the tag while it still names it.
    await deps.store.db.updateTable('images').set({ scanned_tag_digest: image.tag_digest }).where('id', '=', imageId).execute();
    return { imageId, digest, analysed, layersAnalysed: cache.analysedLayers.size };
  } finally {
    await source.close();
  }
}

/** Rejects a job payload that cannot be a scan (bad enqueue): never retried. */
export function assertScanPayload(payload: Record<string, unknown>): void {
  if (typeof payload.imageId !== 'string' || payload.imageId === '') throw new TarsierError('usage', 'scan job without an imageId');
}
