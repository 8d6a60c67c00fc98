/**
 * The endpoint groups `tarsier serve` installs. Translators (src/api/hss/*, src/api/alibaba/*)
 * export an ApiModule each and are listed here.
 */
import { alibabaSensitiveModule } from './alibaba/sensitive.js';
import { HSS_MODULES } from './hss/index.js';
import type { ApiModule } from './types.js';

export const API_MODULES: ApiModule[] = [...HSS_MODULES, alibabaSensitiveModule];
