/** Every build-command risk rule, BCR-001..BCR-034, in catalog order. */
import { HYGIENE_RULES } from './rules/hygiene.js';
import { SECRET_RULES } from './rules/secrets.js';
import { SUPPLY_CHAIN_RULES } from './rules/supply-chain.js';
import { SURFACE_RULES } from './rules/surface.js';
import { USER_RULES } from './rules/user.js';
import type { BuildRule } from './types.js';

export const BUILD_RULES: readonly BuildRule[] = [...USER_RULES, ...SECRET_RULES, ...SUPPLY_CHAIN_RULES, ...SURFACE_RULES, ...HYGIENE_RULES];

export function buildRuleById(id: string): BuildRule | undefined {
  return BUILD_RULES.find((r) => r.id === id);
}
