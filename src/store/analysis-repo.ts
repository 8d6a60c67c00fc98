/**
 * Content-addressed analysis results: one row set per manifest digest, shared by every tenant
 * that references the image. Saving replaces the previous analysis of that digest atomically.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Inventory } from '../analysis/inventory.js';
import { bcr021 } from '../detect/build/rules/signature.js';
import type { Findings, ReportVulnerability } from '../report/model.js';
import { sensitiveFingerprint } from './fingerprints.js';
import type { Store } from './open-store.js';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Baseline summaries may carry the HSS-only fields; rules are stored whole (evidence, audit…). */
export interface StoredBaseline {
  checkName: string;
  checkType: string;
  standard: string;
  checkTypeDesc?: string;
  checkRuleNum: number;
  failedRuleNum: number;
  severity: string;
  rules: Array<{ id: string; title: string; severity: string; status: 'passed' | 'failed' }>;
}

export interface AnalysisToSave {
  inventory: Inventory;
  /** Fingerprint of the analyzer set that produced it (see scan/pipeline.ts). */
  analyzerSet?: string;
  findings: Omit<Findings, 'baseline'> & { baseline: StoredBaseline[] };
}

const BATCH = 500;

async function insertBatched<T extends keyof Database & string>(db: Db, table: T, rows: Array<Record<string, unknown>>): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    // Kysely's typed insert can't be generic over the table; the row shapes are checked by the callers below.
    await (db.insertInto(table) as unknown as { values(v: unknown[]): { execute(): Promise<unknown> } }).values(rows.slice(i, i + BATCH)).execute();
  }
}

export async function saveAnalysis(store: Store, a: AnalysisToSave, now = Date.now()): Promise<void> {
  const inv = a.inventory;
  const digest = inv.artifact.digest;
  await store.db.transaction().execute(async (trx) => {
    // Serialise writers of the same manifest (two workers finishing the same digest).
    await sql`SELECT pg_advisory_xact_lock(hashtext(${digest}))`.execute(trx);
    await trx.deleteFrom('manifests').where('digest', '=', digest).execute();
    await trx
      .insertInto('manifests')
      .values({
        digest,
        config_digest: inv.artifact.configDigest,
        size: inv.artifact.size,
        platform: inv.artifact.platform,
        os_family: inv.os?.family ?? null,
        os_version: inv.os?.version ?? null,
        os: inv.os ? JSON.stringify(inv.os) : null,
        analyzed_at: now,
        inventory: JSON.stringify(inv),
        analyzer_set: a.analyzerSet ?? '',
      })
      .execute();
    for (const l of inv.artifact.layers) {
      await trx.insertInto('layers').values({ diff_id: l.diffId, digest: l.digest, size: l.size }).onConflict((oc) => oc.column('diff_id').doNothing()).execute();
    }
    await insertBatched(
      trx,
      'manifest_layers',
      inv.artifact.layers.map((l, i) => ({ manifest_digest: digest, position: i, diff_id: l.diffId, created_by: l.createdBy ?? null })),
    );
    await insertBatched(
      trx,
      'manifest_packages',
      inv.packages.map((p, i) => ({
        manifest_digest: digest,
        ordinal: i,
        type: p.type,
        name: p.name,
        version: p.version,
        source: p.source ?? null,
        source_version: p.sourceVersion ?? null,
        arch: p.arch ?? null,
        layer_diff_id: p.layerDiffId,
        path: p.path,
        purl: p.purl,
        evidence: p.evidence ?? null,
        epoch: p.epoch ?? null,
        modularity_label: p.modularityLabel ?? null,
      })),
    );
    await writeVulnFindings(trx, digest, a.findings.vulnerabilities);
    await writeSensitiveFindings(trx, inv, a.findings.sensitive);
    await writeBaselineResults(trx, digest, a.findings.baseline);
    await writeBuildRisks(trx, digest, a.findings.buildRisks);
  });
}

/** One detector's findings of a manifest, replaced on their own (see {@link replaceDetectorFindings}). */
async function writeSensitiveFindings(db: Db, inv: Inventory, sensitive: Findings['sensitive']): Promise<void> {
  const digest = inv.artifact.digest;
  await db.deleteFrom('sensitive_findings').where('manifest_digest', '=', digest).execute();
  const seen = new Set<string>();
  await insertBatched(
    db,
    'sensitive_findings',
    sensitive.flatMap((s) => {
      const fingerprint = sensitiveFingerprint(s);
      // The same secret in two layers is one finding per manifest: keep the first (lowest) layer.
      if (seen.has(fingerprint)) return [];
      seen.add(fingerprint);
      const layer = inv.artifact.layers.find((l) => l.digest === s.layerDigest);
      return [{
        manifest_digest: digest,
        fingerprint,
        key: s.key,
        severity: s.severity,
        path: s.path,
        layer_digest: s.layerDigest,
        layer_diff_id: layer?.diffId ?? '',
        md5: s.md5,
        line: s.line ?? null,
        masked: s.masked,
        visible: s.visible !== false,
      }];
    }),
  );
}

async function writeBaselineResults(db: Db, digest: string, baseline: StoredBaseline[]): Promise<void> {
  await db.deleteFrom('baseline_results').where('manifest_digest', '=', digest).execute();
  await insertBatched(
    db,
    'baseline_results',
    baseline.map((b) => ({
      manifest_digest: digest,
      check_name: b.checkName,
      check_type: b.checkType,
      standard: b.standard,
      check_type_desc: b.checkTypeDesc ?? b.checkType,
      check_rule_num: b.checkRuleNum,
      failed_rule_num: b.failedRuleNum,
      severity: b.severity,
      rules: JSON.stringify(b.rules),
    })),
  );
}

/**
 * BCR-021 (image not signed) is left out: signatures live per repository, so its verdict is kept
 * per reference (images.signed, written by the scan job) rather than per digest.
 */
async function writeBuildRisks(db: Db, digest: string, buildRisks: Findings['buildRisks']): Promise<void> {
  await db.deleteFrom('build_risks').where('manifest_digest', '=', digest).execute();
  await insertBatched(
    db,
    'build_risks',
    buildRisks.filter((r) => r.ruleId !== bcr021.id).map((r, i) => ({
      manifest_digest: digest,
      rule_id: r.ruleId,
      ordinal: i,
      name: r.name,
      severity: r.severity,
      build_instruction: r.buildInstruction,
      remediation: r.remediation,
      layer_diff_id: r.layerDiffId ?? null,
    })),
  );
}

async function writeVulnFindings(db: Db, digest: string, vulns: ReportVulnerability[]): Promise<void> {
  await db.deleteFrom('vuln_findings').where('manifest_digest', '=', digest).execute();
  const unique = new Map<string, ReportVulnerability>();
  for (const v of vulns) unique.set(`${v.id}\u0000${v.packageType}\u0000${v.packageName}\u0000${v.installedVersion}`, v);
  await insertBatched(
    db,
    'vuln_findings',
    [...unique.values()].map((v) => ({
      manifest_digest: digest,
      vuln_id: v.id,
      aliases: v.aliases,
      package_type: v.packageType,
      package_name: v.packageName,
      installed_version: v.installedVersion,
      fixed_version: v.fixedVersion,
      status: v.status ?? (v.fixedVersion ? 'fixed' : 'affected'),
      severity: v.severity,
      cvss_score: v.cvssScore ?? null,
      title: v.title ?? null,
      source: v.source,
      layer_diff_id: v.layerDiffId,
      package_path: null,
      solution: v.solution ?? null,
      url: null,
    })),
  );
}

/** Re-match: replace one manifest's vulnerabilities without touching anything else. */
export async function replaceVulnFindings(store: Store, digest: string, vulns: ReportVulnerability[]): Promise<void> {
  await store.db.transaction().execute((trx) => writeVulnFindings(trx, digest, vulns));
}

/** Re-match of many manifests in one transaction. */
export async function replaceVulnFindingsMany(store: Store, byDigest: Map<string, ReportVulnerability[]>): Promise<void> {
  await store.db.transaction().execute(async (trx) => {
    for (const [digest, vulns] of byDigest) await writeVulnFindings(trx, digest, vulns);
  });
}

/**
 * Re-detect: replace the findings of the given detectors of one stored manifest (the others, and
 * its inventory and vulnerabilities, stay) and record the fingerprint they were made with.
 * Returns false when the manifest is no longer stored (garbage-collected meanwhile).
 */
export async function replaceDetectorFindings(
  store: Store,
  inventory: Inventory,
  findings: { sensitive?: Findings['sensitive']; baseline?: StoredBaseline[]; buildRisks?: Findings['buildRisks'] },
  analyzerSet: string,
): Promise<boolean> {
  const digest = inventory.artifact.digest;
  return store.db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${digest}))`.execute(trx);
    const updated = await trx.updateTable('manifests').set({ analyzer_set: analyzerSet }).where('digest', '=', digest).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return false;
    if (findings.sensitive) await writeSensitiveFindings(trx, inventory, findings.sensitive);
    if (findings.baseline) await writeBaselineResults(trx, digest, findings.baseline);
    if (findings.buildRisks) await writeBuildRisks(trx, digest, findings.buildRisks);
    return true;
  });
}

/**
 * What matching needs of stored manifests — OS and packages — read from the package index rather
 * than whole inventories (which carry config files and can be large).
 */
export async function loadMatchInputs(store: Store, digests: string[]): Promise<Map<string, Pick<Inventory, 'os' | 'packages'>>> {
  const out = new Map<string, Pick<Inventory, 'os' | 'packages'>>();
  if (digests.length === 0) return out;
  const manifests = await store.db.selectFrom('manifests').select(['digest', 'os']).where('digest', 'in', digests).execute();
  for (const m of manifests) out.set(m.digest, { os: m.os ?? null, packages: [] });
  const rows = await store.db.selectFrom('manifest_packages').selectAll().where('manifest_digest', 'in', digests).orderBy('manifest_digest').orderBy('ordinal').execute();
  for (const r of rows) {
    out.get(r.manifest_digest)?.packages.push({
      type: r.type as Inventory['packages'][number]['type'],
      name: r.name,
      version: r.version,
      ...(r.source !== null ? { source: r.source } : {}),
      ...(r.source_version !== null ? { sourceVersion: r.source_version } : {}),
      ...(r.arch !== null ? { arch: r.arch } : {}),
      ...(r.epoch !== null ? { epoch: r.epoch } : {}),
      ...(r.modularity_label !== null ? { modularityLabel: r.modularity_label } : {}),
      ...(r.evidence === 'manifest' || r.evidence === 'file-name' ? { evidence: r.evidence } : {}),
      layerDiffId: r.layer_diff_id,
      path: r.path,
      purl: r.purl,
    });
  }
  return out;
}

/** The analyzer set of a stored analysis, or undefined when the digest was never analysed. */
export async function storedAnalyzerSet(store: Store, digest: string): Promise<string | undefined> {
  const row = await store.db.selectFrom('manifests').select('analyzer_set').where('digest', '=', digest).executeTakeFirst();
  return row?.analyzer_set;
}

export async function loadInventory(store: Store, digest: string): Promise<Inventory | undefined> {
  const row = await store.db.selectFrom('manifests').select('inventory').where('digest', '=', digest).executeTakeFirst();
  return row?.inventory;
}
