/**
 * Bulk replacement of stored vulnerability findings, for re-matching thousands of manifests.
 * One page of manifests is one transaction of two statements: every row travels as one JSON
 * document expanded server-side by json_to_recordset (per-row placeholders, or node-pg's per-element
 * escaping of text[] parameters, cost several times the client CPU), and a manifest whose findings
 * are unchanged is neither deleted nor re-inserted — after a database update most are unchanged,
 * and comparing hashes is far cheaper than reading the stored findings back.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { ReportVulnerability } from '../../report/model.js';
import type { Store } from '../open-store.js';

/**
 * A finding as its stored row (without the manifest digest): the body of a JSON object whose keys
 * name the json_to_recordset columns below, and a short hash of it. Cached per finding object: the
 * matcher hands out the same objects for a package version in the same layer across manifests.
 */
interface Encoded {
  body: string;
  token: string;
}
const encoded = new WeakMap<ReportVulnerability, Encoded>();

function encode(v: ReportVulnerability): Encoded {
  let e = encoded.get(v);
  if (!e) {
    const body = JSON.stringify({
      v: v.id,
      a: v.aliases,
      pt: v.packageType,
      pn: v.packageName,
      iv: v.installedVersion,
      fv: v.fixedVersion,
      st: storedStatus(v),
      sv: v.severity,
      cs: v.cvssScore ?? null,
      ti: v.title ?? null,
      so: v.source,
      l: v.layerDiffId,
      sol: v.solution ?? null,
    }).slice(1, -1);
    e = { body, token: createHash('sha1').update(body).digest('base64') };
    encoded.set(v, e);
  }
  return e;
}

/**
 * The vendor state a finding is stored with: its own, else fixed or affected by whether a fix is
 * known. Shared with the scan path's writer so a scanned and a re-matched manifest store equal rows.
 */
export function storedStatus(v: ReportVulnerability): string {
  return v.status ?? (v.fixedVersion ? 'fixed' : 'affected');
}

/**
 * One finding per primary key of vuln_findings (id, package type, name, installed version), the
 * last of duplicates winning; shared with the scan path's writer.
 */
export function uniqueFindingRows(vulns: readonly ReportVulnerability[]): ReportVulnerability[] {
  const unique = new Map<string, ReportVulnerability>();
  for (const v of vulns) unique.set(`${v.id}\u0000${v.packageType}\u0000${v.packageName}\u0000${v.installedVersion}`, v);
  return unique.size === vulns.length ? [...vulns] : [...unique.values()];
}

/**
 * Replaces the findings of each manifest in `byDigest` (an empty list clears them), in one
 * transaction. A manifest whose stored hash (vuln_match_hashes, see migration 008) equals the hash
 * of its new findings is left alone. Returns how many manifests were rewritten.
 */
export async function replaceVulnFindingsBulk(store: Store, byDigest: ReadonlyMap<string, readonly ReportVulnerability[]>): Promise<number> {
  if (byDigest.size === 0) return 0;
  const stored = new Map(
    (await store.query<{ d: string; h: string }>('SELECT manifest_digest AS d, findings_hash AS h FROM vuln_match_hashes WHERE manifest_digest = ANY($1::text[])', [[...byDigest.keys()]])).map(
      (r) => [r.d, r.h],
    ),
  );
  const changed: string[] = [];
  const hashes: string[] = [];
  const inserts: string[] = [];
  for (const [digest, vulns] of byDigest) {
    const rows = uniqueFindingRows(vulns).map(encode);
    // the matcher's output order is deterministic: the same findings hash the same
    const hash = createHash('sha256').update(rows.map((r) => r.token).join('\n')).digest('base64');
    if (stored.get(digest) === hash) continue;
    changed.push(digest);
    hashes.push(hash);
    const d = JSON.stringify(digest);
    for (const r of rows) inserts.push(`{"d":${d},${r.body}}`);
  }
  if (changed.length === 0) return 0;
  await store.db.transaction().execute(async (trx) => {
    await sql`DELETE FROM vuln_findings WHERE manifest_digest = ANY(${changed}::text[])`.execute(trx);
    if (inserts.length > 0) {
      await sql`INSERT INTO vuln_findings (manifest_digest, vuln_id, aliases, package_type, package_name, installed_version, fixed_version,
                                         status, severity, cvss_score, title, source, layer_diff_id, solution)
      SELECT d, v, a, pt, pn, iv, fv, st, sv, cs, ti, so, l, sol
      FROM json_to_recordset(${`[${inserts.join(',')}]`}::json) AS r(d text, v text, a text[], pt text, pn text, iv text, fv text,
                                                                      st text, sv text, cs real, ti text, so text, l text, sol text)`.execute(trx);
    }
    // after the rows: their statements' triggers forget any hash of these manifests
    await sql`INSERT INTO vuln_match_hashes (manifest_digest, findings_hash)
      SELECT d, h FROM unnest(${changed}::text[], ${hashes}::text[]) AS u(d, h)
      ON CONFLICT (manifest_digest) DO UPDATE SET findings_hash = EXCLUDED.findings_hash`.execute(trx);
  });
  return changed.length;
}
