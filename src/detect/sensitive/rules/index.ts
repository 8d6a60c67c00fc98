/** The built-in rule set: every catalog key is reported by at least one rule here. */
import { appContentRules, appPathRules, appStructRules } from './app-config.js';
import { clientContentRules, clientPathRules, clientStructRules } from './clients.js';
import { cloudContentRules, cloudPathRules, cloudStructRules } from './cloud.js';
import { devContentRules, devPathRules, devStructRules } from './devtools.js';
import { keyContentRules, keyPathRules } from './keys.js';
import { magicPathRules, magicRules } from './magic.js';
import { saasContentRules } from './saas.js';
import type { RuleSetSpec } from './types.js';

export const BUILTIN_RULES: RuleSetSpec = {
  content: [...keyContentRules, ...cloudContentRules, ...devContentRules, ...saasContentRules, ...appContentRules, ...clientContentRules],
  path: [...keyPathRules, ...cloudPathRules, ...devPathRules, ...appPathRules, ...clientPathRules, ...magicPathRules],
  struct: [...cloudStructRules, ...devStructRules, ...appStructRules, ...clientStructRules],
  magic: magicRules,
};
