/** Every migration, in order. Never edit a released one: add the next number. */
import { sql as core } from './001-core.js';
import { sql as jobs } from './002-jobs.js';

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  { id: 1, name: '001-core', sql: core },
  { id: 2, name: '002-jobs', sql: jobs },
];
