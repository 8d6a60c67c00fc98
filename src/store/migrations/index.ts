/** Every migration, in order. Never edit a released one: add the next number. */
import { sql as core } from './001-core.js';
import { sql as jobs } from './002-jobs.js';
import { sql as api } from './003-api.js';
import { sql as sync } from './004-sync.js';
import { sql as advisories } from './005-advisories.js';
import { sql as advisoryImport } from './006-advisory-import.js';

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  { id: 1, name: '001-core', sql: core },
  { id: 2, name: '002-jobs', sql: jobs },
  { id: 3, name: '003-api', sql: api },
  { id: 4, name: '004-sync', sql: sync },
  { id: 5, name: '005-advisories', sql: advisories },
  { id: 6, name: '006-advisory-import', sql: advisoryImport },
];
