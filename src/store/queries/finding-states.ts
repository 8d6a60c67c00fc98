/**
 * The handling overlay both API surfaces share: one `finding_states` row per (project, kind,
 * fingerprint), so handling follows the finding (same rule, path and content) across images and
 * rescans. The vocabulary, and how each surface shows it:
 *
 * | state            | HSS `handle_status` / `operate_accept` | Alibaba `Status`   |
 * |------------------|----------------------------------------|--------------------|
 * | (no row)         | `unhandled` / `ignore`                 | `0` unhandled      |
 * | `ignored`        | `handled` / `do_not_ignore`            | `1` ignored        |
 * | `false_positive` | `handled` / `do_not_ignore`            | `2` false positive |
 *
 * HSS `operate_accept` is the operation the finding accepts next, not the last one applied: seed
 * 000's example is an `unhandled` finding with `operate_accept: "ignore"`, which only that reading
 * makes consistent, and a never-handled finding must still carry one of the two values.
 *
 * Un-handling (HSS `do_not_ignore`, Alibaba `Status=0`) deletes the row rather than storing
 * "unhandled", so "unhandled" is always simply the absence of a row.
 */
import type { Kysely, SelectQueryBuilder, Transaction } from 'kysely';
import type { Database } from '../schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** `finding_states.kind` values, one per finding family (same names as `finding_sightings.kind`). */
export type FindingKind = 'sensitive' | 'vuln' | 'build';

export const HANDLED_STATES = ['ignored', 'false_positive'] as const;
export type HandledState = (typeof HANDLED_STATES)[number];
/** What a caller may set; `unhandled` removes the row. */
export type FindingState = HandledState | 'unhandled';

export function isHandledState(s: string | null | undefined): s is HandledState {
  return s === 'ignored' || s === 'false_positive';
}

interface StateWrite {
  projectId: string;
  kind: FindingKind;
  state: FindingState;
  remark?: string | null;
  now?: number;
}

const BATCH = 500;

/** Sets the state of the given fingerprints; returns how many fingerprints it was applied to. */
export async function setFindingStates(db: Db, w: StateWrite & { fingerprints: readonly string[] }): Promise<number> {
  const unique = [...new Set(w.fingerprints)];
  let n = 0;
  for (let i = 0; i < unique.length; i += BATCH) {
    const chunk = unique.slice(i, i + BATCH);
    if (w.state === 'unhandled') {
      await db.deleteFrom('finding_states').where('project_id', '=', w.projectId).where('kind', '=', w.kind).where('fingerprint', 'in', chunk).execute();
    } else {
      const now = w.now ?? Date.now();
      const remark = w.remark ?? null;
      await db
        .insertInto('finding_states')
        .values(chunk.map((fingerprint) => ({ project_id: w.projectId, kind: w.kind, fingerprint, state: w.state, remark, operated_at: now })))
        .onConflict((oc) => oc.columns(['project_id', 'kind', 'fingerprint']).doUpdateSet((eb) => ({ state: eb.ref('excluded.state'), remark: eb.ref('excluded.remark'), operated_at: eb.ref('excluded.operated_at') })))
        .execute();
    }
    n += chunk.length;
  }
  return n;
}

/**
 * Sets the state of every fingerprint a query selects, inside the database (a selection can be
 * a whole project's findings of one rule: nothing is read into memory). Returns how many distinct
 * fingerprints the query selected.
 */
export async function setFindingStatesFrom<TB extends keyof Database>(db: Kysely<Database>, w: StateWrite & { source: SelectQueryBuilder<Database, TB, { fingerprint: string }> }): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const counted = await trx.selectFrom(w.source.distinct().as('f')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    if (w.state === 'unhandled') {
      await trx
        .deleteFrom('finding_states')
        .where('project_id', '=', w.projectId)
        .where('kind', '=', w.kind)
        .where('fingerprint', 'in', trx.selectFrom(w.source.as('f')).select('f.fingerprint'))
        .execute();
    } else {
      const now = w.now ?? Date.now();
      await trx
        .insertInto('finding_states')
        .columns(['project_id', 'kind', 'fingerprint', 'state', 'remark', 'operated_at'])
        .expression((eb) =>
          eb
            .selectFrom(w.source.distinct().as('f'))
            .select([
              eb.val(w.projectId).as('project_id'),
              eb.val(w.kind).as('kind'),
              'f.fingerprint',
              eb.val(w.state).as('state'),
              eb.val(w.remark ?? null).as('remark'),
              eb.val(now).as('operated_at'),
            ]),
        )
        .onConflict((oc) => oc.columns(['project_id', 'kind', 'fingerprint']).doUpdateSet((eb) => ({ state: eb.ref('excluded.state'), remark: eb.ref('excluded.remark'), operated_at: eb.ref('excluded.operated_at') })))
        .execute();
    }
    return Number(counted.n);
  });
}

/** The stored states of some fingerprints (absent ones are unhandled). */
export async function findingStates(db: Db, projectId: string, kind: FindingKind, fingerprints: readonly string[]): Promise<Map<string, { state: HandledState; remark: string | null; operatedAt: number }>> {
  const out = new Map<string, { state: HandledState; remark: string | null; operatedAt: number }>();
  const unique = [...new Set(fingerprints)];
  for (let i = 0; i < unique.length; i += BATCH) {
    const rows = await db
      .selectFrom('finding_states')
      .select(['fingerprint', 'state', 'remark', 'operated_at'])
      .where('project_id', '=', projectId)
      .where('kind', '=', kind)
      .where('fingerprint', 'in', unique.slice(i, i + BATCH))
      .execute();
    for (const r of rows) if (isHandledState(r.state)) out.set(r.fingerprint, { state: r.state, remark: r.remark, operatedAt: r.operated_at });
  }
  return out;
}
