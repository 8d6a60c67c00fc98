/**
 * What the rpm database readers (BerkeleyDB hash, NDB, SQLite) have in common: each walks one
 * database file already in memory and yields the package header blobs it holds, in database
 * order, or the problems it met. A reader never throws on bad input: a problem it cannot get past
 * is its last item.
 */
export type RpmDbFormat = 'bdb' | 'ndb' | 'sqlite';

export type DbItem =
  /** One package's header blob; `where` locates it in the file for warnings (e.g. `record 12`). */
  | { kind: 'blob'; blob: Buffer; where: string }
  | { kind: 'problem'; message: string };
