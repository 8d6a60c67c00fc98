/** Every baseline rule, in catalog order: 57 system checks (SYS-01..57) and 23 SSH checks (SSH-01..23). */
import { ACCOUNT_RULES } from './rules/accounts.js';
import { FILE_PERMISSION_RULES } from './rules/file-permissions.js';
import { KERNEL_RULES } from './rules/kernel.js';
import { PASSWORD_POLICY_RULES } from './rules/password-policy.js';
import { SERVICE_RULES } from './rules/services.js';
import { SESSION_RULES } from './rules/session.js';
import { SSH_RULES } from './rules/ssh.js';
import type { BaselineRule } from './types.js';

export const BASELINE_RULES: readonly BaselineRule[] = [
  ...PASSWORD_POLICY_RULES,
  ...ACCOUNT_RULES,
  ...FILE_PERMISSION_RULES,
  ...SESSION_RULES,
  ...KERNEL_RULES,
  ...SERVICE_RULES,
  ...SSH_RULES,
];

export function ruleById(id: string): BaselineRule | undefined {
  return BASELINE_RULES.find((r) => r.id === id);
}
