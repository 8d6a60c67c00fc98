/**
 * `ClassKey` / `ClassName` of DescribeImageSensitiveFileList: the family a sensitive file type
 * belongs to. The vendor does not publish its classes (its example is `password`), so these are
 * Tarsier's, derived from the key's kind: private keys, access keys, tokens, passwords and
 * credential stores, database files, and configuration files holding credentials.
 */
import type { AliLang } from './common.js';

export type SensitiveClass = 'private_key' | 'access_key' | 'token' | 'password' | 'database' | 'config' | 'custom';

const NAMES: Record<SensitiveClass, Record<AliLang, string>> = {
  private_key: { en: 'Private key', zh: '私钥' },
  access_key: { en: 'Access key', zh: '访问密钥' },
  token: { en: 'Token', zh: '令牌' },
  password: { en: 'Password', zh: '密码' },
  database: { en: 'Database file', zh: '数据库文件' },
  config: { en: 'Configuration', zh: '配置文件' },
  custom: { en: 'Custom rule', zh: '自定义规则' },
};

const DATABASE = new Set(['sqlite', 'microsoft_sdf', 'microsoft_mdf']);
const PRIVATE_KEY = new Set(['pem', 'pgp', 'pkcs_cred', 'java_keystore', 'github_ssh_key', 'k8s_client_key']);
const ACCESS_KEY = new Set(['stripe_skpk', 'google_oauth_key', 'django_key', 'mailgun_key', 'rails_master_key']);
const TOKEN = new Set(['sendinblue', 'rubygem', 'square_oauth', 'rails_app_token']);
const PASSWORD = new Set(['common_cred', 'firefox_logins', 'macos_keychain', 'salesforce', 'cpanel_proftpd', 'apache_htpasswd', 'sshpasswd']);

export function sensitiveClass(key: string): SensitiveClass {
  if (key.startsWith('custom:')) return 'custom';
  if (DATABASE.has(key)) return 'database';
  if (PRIVATE_KEY.has(key) || key.endsWith('_private_key')) return 'private_key';
  if (ACCESS_KEY.has(key) || key.endsWith('_ak') || key.endsWith('_api_key') || key.endsWith('_access_key')) return 'access_key';
  if (TOKEN.has(key) || key.endsWith('_token')) return 'token';
  if (PASSWORD.has(key) || key.endsWith('_passwd') || key.endsWith('_cred')) return 'password';
  return 'config';
}

export function sensitiveClassName(cls: SensitiveClass, lang: AliLang): string {
  return NAMES[cls][lang];
}
