/**
 * HSS `repair_necessity` of a stored finding: the vendor's state first (will not fix → not needed,
 * deferred → delay), else the severity. The JavaScript mapping (list rows) and the SQL one (the
 * `repair_necessity` filter) must agree on every (status, severity), or a filtered list would
 * disagree with the values it shows.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/open-store.js';
import { REPAIR_NECESSITY_SQL, repairNecessity } from '../../src/store/queries/vuln-findings.js';
import { backends } from '../helpers/stores.js';

const STATUSES = ['fixed', 'affected', 'will_not_fix', 'fix_deferred', 'end_of_life', 'under_investigation'];
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'];

describe('repairNecessity', () => {
  it('puts the vendor state before the severity', () => {
    expect(repairNecessity('high', 'fixed')).toBe('immediate_repair');
    expect(repairNecessity('medium', 'affected')).toBe('delay_repair');
    expect(repairNecessity('unknown', 'fixed')).toBe('not_needed_repair');
    // Debian "ignored" / Red Hat "Will not fix": the vendor judged it not worth a fix in the release
    expect(repairNecessity('high', 'will_not_fix')).toBe('not_needed_repair');
    // postponed: no fix can be applied yet
    expect(repairNecessity('critical', 'fix_deferred')).toBe('delay_repair');
    // no fix will come, the severity still says how urgent replacing the package is
    expect(repairNecessity('high', 'end_of_life')).toBe('immediate_repair');
  });
});

describe.each(backends)('repair_necessity in SQL on $name', (backend) => {
  let handle: Awaited<ReturnType<typeof backend.create>>;
  let store: Store;
  beforeAll(async () => {
    handle = await backend.create();
    store = handle.store;
  }, 60_000);
  afterAll(async () => handle?.dispose());

  it('equals the JavaScript mapping for every status and severity', async () => {
    const pairs = STATUSES.flatMap((status) => SEVERITIES.map((severity) => ({ status, severity })));
    const rows = await sql<{ status: string; severity: string; necessity: string }>`
      SELECT v.status, v.severity, ${REPAIR_NECESSITY_SQL} AS necessity
      FROM unnest(${pairs.map((p) => p.status)}::text[], ${pairs.map((p) => p.severity)}::text[]) AS v(status, severity)`.execute(store.db);
    expect(rows.rows).toHaveLength(pairs.length);
    for (const r of rows.rows) expect(r.necessity, `${r.status}/${r.severity}`).toBe(repairNecessity(r.severity, r.status));
  });
});
