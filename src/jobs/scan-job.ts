/**
 * The `scan` job: pull one image reference, analyse its manifest (once, whoever else wants the
 * same digest at the same time), store the analysis and findings, and move the reference's
 * HSS scan status along. Failures end in the right failed code; retryable ones are retried.
 */
import { TarsierError } from '../errors.js';
import { openImage } from '../image/open-image.js';
import { LayerCache } from '../analysis/layer-cache.js';
import type { ScanLimits } from '../analysis/analyze-image.js';
import { analyzerSetFingerprint, scanSource } from '../scan/pipeline.js';
import { saveAnalysis, storedAnalyzerSet } from '../store/analysis-repo.js';
import { loadIndexFor } from '../vulndb/index-loader.js';
import { sensitiveFingerprint, vulnFingerprint } from '../store/fingerprints.js';
import { recordSightings, setScanStatus } from '../store/images-repo.js';
import type { Store } from '../store/open-store.js';
import { registryCredentials } from '../store/registries-repo.js';
import type { SecretBox } from '../store/secret-box.js';
import type { Job, LeaseLock } from './queue.js';

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
}

export interface ScanJobResult extends Record<string, unknown> {
  imageId: string;
  digest?: string;
  analysed: boolean;
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
  try {
    const manifest = await source.manifest();
    const digest = manifest.digest;
    const analyzerSet = analyzerSetFingerprint();
    let analysed = false;
    const lockName = `manifest:${digest}`;
    while (!(await deps.locks.tryAcquire(lockName, deps.owner))) {
      // Someone else is analysing this digest right now; wait and then reuse their work.
      await new Promise((r) => setTimeout(r, deps.lockPollMs ?? 250));
    }
    // Renewed well within the lock's lease (short leases in tests, 30 s by default).
    const renew = setInterval(() => void deps.locks.renew(lockName, deps.owner).catch(() => undefined), Math.max(200, Math.min(5_000, deps.locks.leaseMs / 3)));
    try {
      if ((await storedAnalyzerSet(deps.store, digest)) !== analyzerSet) {
        const outcome = await scanSource(source, {
          cache: new LayerCache(deps.cacheDir),
          limits: deps.limits,
          platform: deps.platform,
          detect: { ignoreUnfixed: false, advisories: (inv) => loadIndexFor(deps.store, inv), onWarning: (m) => deps.log?.(`warning: ${image.reference}: ${m}`) },
          onWarning: (m) => deps.log?.(`warning: ${image.reference}: ${m}`),
        });
        await saveAnalysis(deps.store, { inventory: outcome.inventory, findings: outcome.findings, analyzerSet });
        analysed = true;
      }
    } finally {
      clearInterval(renew);
      await deps.locks.release(lockName, deps.owner);
    }
    const now = Date.now();
    const [sens, vulns] = await Promise.all([
      deps.store.db.selectFrom('sensitive_findings').select(['key', 'path', 'md5']).where('manifest_digest', '=', digest).execute(),
      deps.store.db.selectFrom('vuln_findings').select(['vuln_id', 'package_type', 'package_name']).where('manifest_digest', '=', digest).execute(),
    ]);
    await recordSightings(deps.store, imageId, 'sensitive', sens.map((s) => sensitiveFingerprint(s)), now);
    await recordSightings(deps.store, imageId, 'vuln', vulns.map((v) => vulnFingerprint({ id: v.vuln_id, packageType: v.package_type, packageName: v.package_name })), now);
    await setScanStatus(deps.store, imageId, { status: 'success', digest, size: manifest.size, scannedAt: now });
    // The tag digest a sync saw before this scan began: a sync skips the tag while it still names it.
    await deps.store.db.updateTable('images').set({ scanned_tag_digest: image.tag_digest }).where('id', '=', imageId).execute();
    return { imageId, digest, analysed };
  } finally {
    await source.close();
  }
}

/** Rejects a job payload that cannot be a scan (bad enqueue): never retried. */
export function assertScanPayload(payload: Record<string, unknown>): void {
  if (typeof payload.imageId !== 'string' || payload.imageId === '') throw new TarsierError('usage', 'scan job without an imageId');
}
