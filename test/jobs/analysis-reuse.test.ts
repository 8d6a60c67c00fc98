/**
 * Stored analyses brought up to date by what changed: a detector's code or rules → only its
 * findings are recomputed from the stored inventory (no layer read); the inventory's analyzers or
 * merge code → a scan; nothing → reuse. On PGlite and PostgreSQL, through the scan job itself.
 */
import { appendFile, cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type SqlBool } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/analysis/image-head.js';
import { writeOciLayout } from '../../src/image/build/image-writer.js';
import {
  analysisFingerprints,
  currentAnalysisFingerprint,
  decodeFingerprints,
  encodeFingerprints,
  planReuse,
  type AnalysisFingerprints,
} from '../../src/jobs/analysis-reuse.js';
import { LeaseLock, type Job } from '../../src/jobs/queue.js';
import { recordImageSignature } from '../../src/jobs/image-signature.js';
import { runScanJob, type ScanJobDeps } from '../../src/jobs/scan-job.js';
import { listRuleImages, listRuleSummaries } from '../../src/store/queries/build-risks.js';
import { upsertImage } from '../../src/store/images-repo.js';
import type { Store } from '../../src/store/open-store.js';
import { ensureProject } from '../../src/store/projects-repo.js';
import type { SignatureLookup } from '../../src/image/signatures.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { debianAppSpec } from '../helpers/build-test-images.js';
import { backends } from '../helpers/stores.js';

const SRC = join(import.meta.dirname, '../../src');

describe('analysis fingerprints', () => {
  let root: string;
  let before: AnalysisFingerprints;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tarsier-reuse-src-'));
    await cp(SRC, root, { recursive: true });
    before = analysisFingerprints(undefined, root);
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** Edits one module of the copied tree and returns which parts of the fingerprint moved. */
  async function changedBy(module: string): Promise<string[]> {
    await appendFile(join(root, module), '\n// edited\n');
    const after = analysisFingerprints(undefined, root);
    const moved = [after.inventory !== before.inventory ? 'inventory' : '', ...Object.keys(after.detectors).filter((d) => after.detectors[d as 'build'] !== before.detectors[d as 'build'])].filter(Boolean);
    before = after;
    return moved;
  }

  it('moves only the part whose code changed', async () => {
    expect(await changedBy('detect/baseline/rules/ssh.ts')).toEqual(['baseline']);
    expect(await changedBy('detect/build/rules/hygiene.ts')).toEqual(['build']);
    expect(await changedBy('detect/build/rules/signature.ts')).toEqual(['build']);
    // BCR-021 as the pipeline reports it is per reference, never stored with the analysis.
    expect(await changedBy('detect/build/signature-risk.ts')).toEqual([]);
    expect(await changedBy('detect/sensitive/catalog.ts')).toEqual(['sensitive']);
    expect(await changedBy('analysis/merge.ts')).toEqual(['inventory']);
    // Vulnerability matching is live, never part of a stored analysis.
    expect(await changedBy('detect/vulns/match.ts')).toEqual([]);
  });

  it('running code fingerprint round-trips, and plans follow what differs', () => {
    const now = currentAnalysisFingerprint();
    const parsed = decodeFingerprints(now)!;
    expect(encodeFingerprints(parsed)).toBe(now);
    const stale = (part: string) => encodeFingerprints(part === 'inventory' ? { ...parsed, inventory: 'x' } : { ...parsed, detectors: { ...parsed.detectors, [part]: 'x' } });
    expect(planReuse(now, now)).toEqual({ action: 'reuse' });
    expect(planReuse(stale('baseline'), now)).toEqual({ action: 'redetect', detectors: ['baseline'] });
    expect(planReuse(stale('inventory'), now)).toEqual({ action: 'scan' });
    // Never analysed, an older analyzer-set hash, a CI upload: scan.
    for (const old of [undefined, '', '0123456789abcdef', 'upload']) expect(planReuse(old, now)).toEqual({ action: 'scan' });
  });
});

describe.each(backends)('scan jobs reuse or re-detect stored analyses on $name', (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let dir: string;
  let deps: ScanJobDeps;
  let imageId: string;
  let digest: string;
  let jobId = 0;
  const logs: string[] = [];

  beforeAll(async () => {
    ({ store, dispose } = await backend.create());
    dir = await mkdtemp(join(tmpdir(), 'tarsier-reuse-'));
    await writeOciLayout(debianAppSpec(), join(dir, 'layout'), 'v1');
    await ensureProject(store, 'p1');
    imageId = await upsertImage(store, { projectId: 'p1', imageType: 'private_image', imageName: 'app', imageVersion: 'v1', reference: `oci:${join(dir, 'layout')}:v1` });
    deps = {
      store,
      locks: new LeaseLock(store, 5_000),
      box: await SecretBox.load(join(dir, 'data')),
      cacheDir: join(dir, 'cache'),
      owner: 'reuse-test',
      limits: DEFAULT_LIMITS,
      platform: 'linux/amd64',
      lockPollMs: 20,
      log: (l) => logs.push(l),
    };
  }, 60_000);
  afterAll(async () => {
    await dispose?.();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const job = (): Job => ({ id: ++jobId, kind: 'scan', payload: { imageId }, attempts: 1, maxAttempts: 3, projectId: 'p1', taskId: null });
  const buildRows = () => store.db.selectFrom('build_risks').select(['rule_id', 'ordinal', 'name', 'build_instruction']).where('manifest_digest', '=', digest).orderBy('rule_id').orderBy('ordinal').execute();
  const baselineRows = () => store.db.selectFrom('baseline_results').select(['check_type', 'standard', 'failed_rule_num']).where('manifest_digest', '=', digest).orderBy('check_type').orderBy('standard').execute();
  const storedSet = async () => (await store.db.selectFrom('manifests').select('analyzer_set').where('digest', '=', digest).executeTakeFirstOrThrow()).analyzer_set;
  /** Marks the stored analysis as made by other code for one part. */
  async function staleFor(part: 'inventory' | 'build') {
    const f = decodeFingerprints(currentAnalysisFingerprint())!;
    const stale = part === 'inventory' ? { ...f, inventory: '0000000000000000' } : { ...f, detectors: { ...f.detectors, build: '0000000000000000' } };
    await store.db.updateTable('manifests').set({ analyzer_set: encodeFingerprints(stale) }).where('digest', '=', digest).execute();
  }
  /** Tampers stored findings so a recomputation (or its absence) shows. */
  async function tamper() {
    await store.db.updateTable('build_risks').set({ name: 'tampered' }).where('manifest_digest', '=', digest).execute();
    await store.db.updateTable('baseline_results').set({ failed_rule_num: 999 }).where('manifest_digest', '=', digest).execute();
  }

  let fresh: { build: Awaited<ReturnType<typeof buildRows>>; baseline: Awaited<ReturnType<typeof baselineRows>> };

  it('analyses a new digest and records the running code fingerprint', async () => {
    const r = await runScanJob(deps, job());
    expect(r.analysed).toBe(true);
    digest = r.digest!;
    expect(await storedSet()).toBe(currentAnalysisFingerprint());
    fresh = { build: await buildRows(), baseline: await baselineRows() };
    expect(fresh.build.length).toBeGreaterThan(0);
    expect(fresh.baseline.length).toBeGreaterThan(0);
  }, 60_000);

  it('reuses an up-to-date analysis as stored', async () => {
    await tamper();
    const r = await runScanJob(deps, job());
    expect(r.analysed).toBe(false);
    expect((await buildRows()).every((b) => b.name === 'tampered')).toBe(true);
    expect((await baselineRows()).every((b) => b.failed_rule_num === 999)).toBe(true);
  }, 60_000);

  it('scans again when the inventory part changed, with every layer from the cache', async () => {
    await staleFor('inventory');
    const r = await runScanJob(deps, job());
    expect(r).toMatchObject({ analysed: true, layersAnalysed: 0 });
    expect(await buildRows()).toEqual(fresh.build);
    expect(await baselineRows()).toEqual(fresh.baseline);
    expect(await storedSet()).toBe(currentAnalysisFingerprint());
  }, 60_000);

  it('recomputes only the build findings when the build rules changed, without reading a layer', async () => {
    await tamper();
    await staleFor('build');
    // No layer blob left: any attempt to read a layer would fail the job.
    const blobs = join(dir, 'layout/blobs/sha256');
    const manifestish = new Set<string>();
    for (const f of await readdir(blobs)) {
      const head = (await readFile(join(blobs, f)))[0];
      if (head === 0x7b) manifestish.add(f); // JSON: index, manifest, config
      else await rm(join(blobs, f));
    }
    expect(manifestish.size).toBeGreaterThan(0);
    const r = await runScanJob(deps, job());
    expect(r.analysed).toBe(false);
    expect(await buildRows()).toEqual(fresh.build);
    // Baseline was not out of date: left as stored (tampered).
    expect((await baselineRows()).every((b) => b.failed_rule_num === 999)).toBe(true);
    expect(await storedSet()).toBe(currentAnalysisFingerprint());
    expect(logs.some((l) => l.includes('build findings re-evaluated from the stored inventory'))).toBe(true);
    const image = await store.db.selectFrom('images').select(['scan_status']).where('id', '=', imageId).executeTakeFirstOrThrow();
    expect(image.scan_status).toBe('success');
  }, 60_000);
  it('keeps BCR-021 per reference: one digest signed in one repository and not in another', async () => {
    // The same digest promoted to a second repository (another reference to the same layout).
    const prodId = await upsertImage(store, { projectId: 'p1', imageType: 'private_image', imageName: 'app-prod', imageVersion: 'v1', reference: `oci:${join(dir, 'layout')}:v1` });
    const prod = await runScanJob(deps, { ...job(), payload: { imageId: prodId } });
    expect(prod).toMatchObject({ digest, analysed: false });
    const registry = (answer: SignatureLookup | Error) => ({
      type: 'registry' as const,
      signatures: async () => {
        if (answer instanceof Error) throw answer;
        return answer;
      },
    });
    const scope = { projectId: 'p1', visible: (a: string) => sql<SqlBool>`${sql.ref(`${a}.project_id`)} = 'p1'` };
    const filter = { imageTypes: ['private_image'] };
    const unsignedImages = async () => (await listRuleImages(store, scope, filter, 'BCR-021', { offset: 0, limit: 10 })).rows.map((r) => ({ id: r.image_id, risks: r.risks }));
    const summary = async () => (await listRuleSummaries(store, scope, filter, { offset: 0, limit: 50 })).rows.find((r) => r.rule_id === 'BCR-021');

    expect(await recordImageSignature(store, imageId, registry({ signed: false, details: ['no referrers'] }))).toBe(false);
    expect(await recordImageSignature(store, prodId, registry({ signed: true, details: ['cosign signature'] }))).toBe(true);
    const onlyDev = [{ id: imageId, risks: [{ build_instruction: '--', remediation: expect.stringContaining('Sign images') }] }];
    expect(await unsignedImages()).toEqual(onlyDev);
    expect(await summary()).toMatchObject({ rule_id: 'BCR-021', name: 'Image not signed / content trust not used', severity: 'low', image_num: 1 });
    // The verdict never lands in the digest's stored findings.
    expect((await buildRows()).some((b) => b.rule_id === 'BCR-021')).toBe(false);

    // Rescanning the signed reference (its lookup cannot answer here) changes neither verdict.
    expect(await runScanJob(deps, { ...job(), payload: { imageId: prodId } })).toMatchObject({ digest, analysed: false });
    expect(await unsignedImages()).toEqual(onlyDev);
    // A lookup that cannot answer keeps the stored verdict.
    expect(await recordImageSignature(store, imageId, registry({ signed: undefined, details: ['HTTP 503'] }), { log: (l) => logs.push(l) })).toBeUndefined();
    expect(await recordImageSignature(store, imageId, registry(new Error('connection reset')), { log: (l) => logs.push(l) })).toBeUndefined();
    expect(await unsignedImages()).toEqual(onlyDev);
    expect(logs.some((l) => l.includes('image signatures not checked: HTTP 503'))).toBe(true);
    // Signed since: the finding goes for that reference.
    await recordImageSignature(store, imageId, registry({ signed: true, details: ['cosign signature'] }));
    expect(await unsignedImages()).toEqual([]);
    expect(await summary()).toBeUndefined();
  }, 60_000);
});
