/** Every migration, in order. Never edit a released one: add the next number. */
import { sql as core } from './001-core.js';
import { sql as jobs } from './002-jobs.js';
import { sql as api } from './003-api.js';
import { sql as sync } from './004-sync.js';
import { sql as advisories } from './005-advisories.js';
import { sql as advisoryImport } from './006-advisory-import.js';
import { sql as taskEnterpriseProject } from './007-task-enterprise-project.js';
import { sql as rematch } from './008-rematch.js';
import { sql as layerFacts } from './009-layer-facts.js';
import { sql as sensitiveKeyCover } from './010-sensitive-key-cover.js';
import { sql as gcMarks } from './011-gc-marks.js';
import { sql as imageSignature } from './012-image-signature.js';
import { sql as taskHistory } from './013-task-history.js';

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
  { id: 7, name: '007-task-enterprise-project', sql: taskEnterpriseProject },
  { id: 8, name: '008-rematch', sql: rematch },
  { id: 9, name: '009-layer-facts', sql: layerFacts },
  { id: 10, name: '010-sensitive-key-cover', sql: sensitiveKeyCover },
  { id: 11, name: '011-gc-marks', sql: gcMarks },
  { id: 12, name: '012-image-signature', sql: imageSignature },
  { id: 13, name: '013-task-history', sql: taskHistory },
];
