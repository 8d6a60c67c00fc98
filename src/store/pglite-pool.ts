/**
 * Makes an embedded PGlite database look like a node-postgres pool, so the same Kysely
 * PostgresDialect, the same SQL and the same migrations run on both. PGlite has one session:
 * a "connection" here is exclusive use of it until release, which keeps transactions intact.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

type Command = PostgresQueryResult<unknown>['command'];

function commandOf(sql: string): Command {
  const m = /^\s*(?:with\b[\s\S]*?\)\s*)?(insert|update|delete|merge|select)\b/i.exec(sql);
  return (m?.[1]?.toUpperCase() ?? 'SELECT') as Command;
}

export class PgliteSession {
  private tail: Promise<void> = Promise.resolve();

  constructor(readonly db: PGlite) {}

  /** Waits for exclusive use of the session; call the returned function to give it back. */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => mine);
    return ready;
  }
}

export function pglitePool(session: PgliteSession): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const release = await session.acquire();
      let released = false;
      const client = {
        async query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
          // Like node-postgres: parameterless text goes through the simple protocol, so a
          // multi-statement script (a migration) runs whole; the last statement's result counts.
          if (parameters.length === 0) {
            const all = await session.db.exec(sql);
            const last = all[all.length - 1];
            const rows = (last?.rows ?? []) as R[];
            return { command: commandOf(sql), rowCount: last?.affectedRows ?? rows.length, rows };
          }
          const res = await session.db.query<R>(sql, parameters as unknown[]);
          return { command: commandOf(sql), rowCount: res.affectedRows ?? res.rows.length, rows: res.rows };
        },
        release(): void {
          if (!released) {
            released = true;
            release();
          }
        },
      };
      return client as unknown as PostgresPoolClient;
    },
    async end(): Promise<void> {
      await session.db.close();
    },
  };
}
