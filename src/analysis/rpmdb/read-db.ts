/**
 * Picks the reader for an rpm package database by its content, not its file name: an image may
 * carry a `Packages` that was converted in place, and the magic is what decides how to read it.
 */
import { bdbByteOrder, readBdbPackages } from './bdb.js';
import { isNdb, readNdbPackages } from './ndb.js';
import { isSqlite, readSqlitePackages } from './sqlite.js';
import type { DbItem, RpmDbFormat } from './types.js';

export function detectRpmDbFormat(content: Buffer): RpmDbFormat | undefined {
  if (isSqlite(content)) return 'sqlite';
  if (isNdb(content)) return 'ndb';
  if (bdbByteOrder(content)) return 'bdb';
  return undefined;
}

/** The header blobs (and problems) of one rpm database file, whatever its format. */
export function readRpmDatabase(content: Buffer): { format: RpmDbFormat | undefined; items: Iterable<DbItem> } {
  const format = detectRpmDbFormat(content);
  switch (format) {
    case 'sqlite':
      return { format, items: readSqlitePackages(content) };
    case 'ndb':
      return { format, items: readNdbPackages(content) };
    case 'bdb':
      return { format, items: readBdbPackages(content) };
    default:
      return { format, items: [{ kind: 'problem', message: 'not an rpm database: neither BerkeleyDB, ndb nor SQLite' }] };
  }
}
