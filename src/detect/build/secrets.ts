/**
 * Secret recognition for build-risk rules: which variable names hold secrets, which values are
 * recognisable live tokens, and how to mask them in an instruction (values become `******`;
 * tokens keep a 4-character prefix so a reader can tell which credential leaked).
 */

/** Name tokens (split on `_`) that mark a secret, as BuildKit's SecretsUsedInArgOrEnv check uses, plus common short forms. */
const SECRET_TOKENS = new Set(['apikey', 'auth', 'credential', 'credentials', 'key', 'password', 'pword', 'passwd', 'secret', 'token', 'usr', 'psw', 'pass', 'pwd', 'apitoken', 'accesskey', 'secretkey', 'privatekey']);

/** Well-known secret variable names (also with VITE_/REACT_APP_ prefixes). */
const SECRET_NAMES = new Set([
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AZURE_CLIENT_SECRET', 'GITHUB_TOKEN', 'GH_TOKEN', 'GITLAB_TOKEN', 'OPENAI_API_KEY', 'HF_TOKEN',
  'DIGITALOCEAN_ACCESS_TOKEN', 'DOCKERHUB_PASSWORD', 'DOCKER_PASSWORD', 'HEROKU_API_KEY', 'NPM_TOKEN', 'NODE_AUTH_TOKEN', 'POSTGRES_PASSWORD', 'MYSQL_ROOT_PASSWORD',
  'MYSQL_PASSWORD', 'VAULT_TOKEN', 'OS_PASSWORD', 'SLACK_TOKEN', 'SONAR_TOKEN', 'PGPASSWORD', 'REDIS_PASSWORD', 'RABBITMQ_DEFAULT_PASS', 'JWT_SECRET', 'SENTRY_AUTH_TOKEN',
]);

/** Names that look like secrets but hold public material (Dockle accepts GPG_KEY(S)). */
const ACCEPTED_NAMES = new Set(['GPG_KEY', 'GPG_KEYS', 'GPG_KEY_ID', 'KEYRING', 'KEY_SERVER', 'KEYSERVER']);

export function isSecretName(name: string): boolean {
  const upper = name.toUpperCase().replace(/^(?:VITE_|REACT_APP_|NEXT_PUBLIC_)/, '');
  if (ACCEPTED_NAMES.has(upper)) return false;
  if (SECRET_NAMES.has(upper)) return true;
  const tokens = upper.toLowerCase().split(/[_\-.]+/).filter((t) => t !== '');
  // `*_FILE` points at a mounted secret; `PUBLIC` keys are meant to be shared.
  if (tokens.includes('public') || tokens[tokens.length - 1] === 'file' || tokens[tokens.length - 1] === 'path' || tokens[tokens.length - 1] === 'dir') return false;
  return tokens.some((t) => SECRET_TOKENS.has(t));
}

const NON_SECRET_VALUES = new Set(['', 'true', 'false', 'yes', 'no', 'on', 'off', '0', '1', 'none', 'null', 'nil', 'changeme', 'change_me', 'xxx', 'secret', 'password', 'required', 'optional', 'disabled', 'enabled']);

/** Whether a value could be a real secret (not a placeholder, flag, path or reference). */
export function isRealSecretValue(value: string): boolean {
  const v = value.trim().replace(/^["']|["']$/g, '');
  if (NON_SECRET_VALUES.has(v.toLowerCase())) return false;
  if (/^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v)) return false; // a reference to another variable
  if (/^<[^>]*>$/.test(v) || /^\{\{.*\}\}$/.test(v)) return false; // template placeholder
  if (v.startsWith('/') || v.startsWith('./') || v.startsWith('file:')) return false; // a file path (e.g. /run/secrets/x)
  return true;
}

interface TokenFormat {
  name: string;
  re: RegExp;
}

/** Recognisable credential formats (bounded quantifiers, no nested repetition). */
export const TOKEN_FORMATS: readonly TokenFormat[] = [
  { name: 'AWS access key id', re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b/ },
  { name: 'GitHub token', re: /\bgh[pousr]_[A-Za-z0-9]{36,255}\b/ },
  { name: 'GitHub fine-grained token', re: /\bgithub_pat_[A-Za-z0-9_]{22,255}\b/ },
  { name: 'GitLab token', re: /\bglpat-[A-Za-z0-9_-]{20,64}\b/ },
  { name: 'Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,200}\b/ },
  { name: 'npm token', re: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { name: 'Stripe secret key', re: /\b[sr]k_live_[A-Za-z0-9]{20,99}\b/ },
  { name: 'Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { name: 'OpenAI key', re: /\bsk-(?:proj-)?[A-Za-z0-9_-]{32,200}\b/ },
  { name: 'Hugging Face token', re: /\bhf_[A-Za-z0-9]{34,40}\b/ },
  { name: 'private key', re: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/ },
];

export function tokenFormatOf(value: string): string | null {
  for (const f of TOKEN_FORMATS) if (f.re.test(value)) return f.name;
  return null;
}

/** `abcd******` for tokens, `******` for short or plain values. */
export function maskValue(value: string): string {
  return tokenFormatOf(value) && value.length > 8 ? `${value.slice(0, 4)}******` : '******';
}

/** Replaces every recognisable token inside free text. */
export function maskTokens(text: string): string {
  let out = text;
  for (const f of TOKEN_FORMATS) out = out.replace(new RegExp(f.re.source, 'g'), (m) => (m.startsWith('-----') ? '-----BEGIN ****** PRIVATE KEY-----' : `${m.slice(0, 4)}******`));
  return out;
}

/**
 * Masks the secrets an instruction may carry: `NAME=value` for secret names, URL credentials,
 * `Authorization:` headers, password options of common tools, and recognisable tokens.
 */
export function maskSecrets(text: string): string {
  let out = text;
  // NAME=value and NAME value (ENV legacy form) for secret names.
  out = out.replace(/\b([A-Za-z_][A-Za-z0-9_.-]{0,100})=("[^"]*"|'[^']*'|[^\s"';&|]+)/g, (m, name: string, value: string) =>
    isSecretName(name) && isRealSecretValue(value) ? `${name}=${maskValue(value.replace(/^["']|["']$/g, ''))}` : m,
  );
  // scheme://user:password@host and scheme://token@host
  out = out.replace(/\b([a-z][a-z0-9+.-]{1,20}:\/\/)([^\s/:@'"]{1,200})(?::([^\s/@'"]{1,200}))?@/gi, (m, scheme: string, user: string, pass: string | undefined) => {
    if (pass !== undefined) return `${scheme}${user}:******@`;
    return user.length >= 16 || tokenFormatOf(user) ? `${scheme}${maskValue(user)}@` : m;
  });
  out = out.replace(/(Authorization:\s*(?:Basic|Bearer|token|Token)\s+)([^\s'"]{1,500})/g, (_m, head: string, v: string) => `${head}${maskValue(v)}`);
  out = out.replace(/(\s(?:-u|--user)[=\s]+['"]?)([^\s:'"]{1,200}):([^\s'"]{1,500})/g, (_m, head: string, user: string) => `${head}${user}:******`);
  out = out.replace(/(--(?:http-|ftp-)?password[=\s]+|--federated-token[=\s]+|--access-token[=\s]+|:_authToken[=\s]+|_auth[=\s]+)(['"]?)([^\s'"]{1,500})/gi, (_m, head: string, q: string) => `${head}${q}******`);
  out = out.replace(/(\s-p)(\s*)(?!\s*-)([^\s'"]{1,500})/g, (m, flag: string, sp: string, v: string) => (/^\$/.test(v) ? m : `${flag}${sp}******`));
  out = out.replace(/(\b[A-Za-z0-9_.-]{1,64}):([^\s:'"|]{1,200})(['"]?\s*\|\s*(?:sudo\s+)?chpasswd)/g, (_m, user: string, _pw: string, tail: string) => `${user}:******${tail}`);
  return maskTokens(out);
}
