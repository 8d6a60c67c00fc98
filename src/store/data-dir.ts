/** The default data directory (embedded database, layer cache, secret key); kept apart so the CLI can name it without loading the store. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(): string {
  return process.env.TARSIER_DATA_DIR ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'tarsier');
}
