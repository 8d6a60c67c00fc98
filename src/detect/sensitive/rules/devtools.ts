/**
 * Source control, package registries, CI/CD and infrastructure tooling: GitHub, GitLab, git
 * configs, npm, PyPI, RubyGems, Clojars, Docker registries, Jenkins, Vault, Terraform, Pulumi,
 * Kubernetes tokens.
 */
import { contentLines, indexOfJsonValue, isRecord, parseIni, parseJson, urlCredentials } from '../formats.js';
import { GlobSet } from '../glob.js';
import { maskSecret } from '../mask.js';
import { decodeBase64, decodeJwt, isPlaceholder, isPlaceholderish } from '../validators.js';
import { assign, B, ci, E } from './helpers.js';
import { jsonKeysCheck, linesCheck } from './struct-helpers.js';
import type { Classification, ContentRule, FileContext, PathRule, StructHit, StructRule, Verdict } from './types.js';

function token(id: string, key: string, keywords: string[], body: string, prefix: number, detail?: string): ContentRule {
  return {
    id,
    key,
    keywords,
    pattern: new RegExp(`${B}(?<secret>${body})${E}`),
    before: 1,
    after: 320,
    entropy: 3.0,
    publicPrefix: prefix,
    ...(detail ? { validate: () => ({ detail }) } : {}),
  };
}

const github: ContentRule[] = [
  token('github-pat', 'github_personal_token', ['ghp_'], 'ghp_[A-Za-z0-9]{36}', 4, 'classic personal access token'),
  token('github-fine-grained-pat', 'github_personal_token', ['github_pat_'], 'github_pat_[A-Za-z0-9_]{70,100}', 11, 'fine-grained personal access token'),
  token('github-oauth', 'github_oauth_token', ['gho_'], 'gho_[A-Za-z0-9]{36}', 4),
  token('github-app-token', 'github_app_token', ['ghu_', 'ghs_'], 'gh[us]_[A-Za-z0-9]{36}', 4),
  token('github-refresh-token', 'github_refresh_token', ['ghr_'], 'ghr_[A-Za-z0-9]{36,76}', 4),
  {
    // `git+https://<40-hex OAuth token>:x-oauth-basic@github.com/…` in lockfiles and manifests.
    id: 'github-x-oauth-basic',
    key: 'github_oauth_token',
    keywords: [':x-oauth-basic@'],
    pattern: /(?<![A-Za-z0-9_])(?<secret>[A-Za-z0-9_]{30,100}):x-oauth-basic@/,
    before: 45,
    after: 2,
    entropy: 3.0,
    validate: () => ({ detail: 'GitHub token in a URL (x-oauth-basic)' }),
  },
];

const gitlab: ContentRule[] = [
  {
    id: 'gitlab-pat',
    key: 'gitLab_personal_token',
    keywords: ['glpat-'],
    pattern: /(?<![A-Za-z0-9_-])(?<secret>glpat-(?:[0-9A-Za-z_-]{27,300}\.[0-9a-z]{2}[0-9a-z]{7}(?![0-9a-z])|[0-9A-Za-z_-]{20}(?![0-9A-Za-z_.-])))/,
    before: 1,
    after: 320,
    entropy: 3.0,
    publicPrefix: 6,
  },
  {
    id: 'gitlab-other-tokens',
    key: 'gitLab_personal_token',
    keywords: ['glptt-', 'gldt-', 'glrt-', 'gr1348941', 'glcbt-', 'glft-', 'glsoat-', 'gloas-', 'glagent-', 'glimt-'],
    pattern: /(?<![A-Za-z0-9_-])(?<secret>(?<prefix>glptt-|gldt-|glrt-|glcbt-|glft-|glsoat-|gloas-|glagent-|glimt-|GR1348941)[0-9A-Za-z_-]{20,300})(?![0-9A-Za-z_-])/,
    before: 1,
    after: 320,
    entropy: 3.0,
    validate: (s, m) => {
      const prefix = m.groups?.prefix ?? '';
      return { masked: maskSecret(s, prefix.length), detail: `GitLab ${prefix.replace(/-$/, '')} token` };
    },
  },
];

/** `.git-credentials`: one `https://user:token@host` per line. */
const gitCredentials: StructRule = {
  id: 'git-credential-store',
  key: 'git_cred',
  fileType: true,
  paths: ['**/.git-credentials', '**/.config/git/credentials', '**/git-credentials'],
  check(text) {
    return urlCredentials(text)
      .filter((u) => !isPlaceholderish(u.password))
      .map((u) => ({ secret: u.password, index: u.index, detail: `credentials for ${u.host}` }));
  },
};

/** git config: credentials in remote URLs, an Authorization extraheader, or a plaintext credential store. */
const gitConfig: StructRule = {
  id: 'git-config',
  key: 'git_cfg',
  fileType: true,
  paths: ['**/.gitconfig', '**/.git/config', 'etc/gitconfig', '**/.config/git/config'],
  check(text) {
    const hits: StructHit[] = urlCredentials(text)
      .filter((u) => !isPlaceholderish(u.password))
      .map((u) => ({ secret: u.password, index: u.index, severity: 'high', detail: `credentials in remote URL for ${u.host}` }));
    const header = /extraheader\s*=\s*["']?AUTHORIZATION:\s*(?:basic|bearer|token)\s+([A-Za-z0-9+/=._~-]{8,})/i.exec(text);
    if (header && !isPlaceholder(header[1] ?? '')) hits.push({ secret: header[1], index: header.index, severity: 'high', detail: 'HTTP Authorization extraheader' });
    const store = /^\s*helper\s*=\s*store\b/m.exec(text);
    if (store) hits.push({ masked: 'credential.helper=store ****', index: store.index, detail: 'credentials kept in plaintext by the store helper' });
    return hits;
  },
};

/** hub (`~/.config/hub`): `oauth_token:` per host. */
const githubHub: StructRule = {
  id: 'github-hub-config',
  key: 'github_hub',
  fileType: true,
  paths: ['**/.config/hub'],
  check: linesCheck(/^\s*-?\s*oauth_token:\s*["']?([A-Za-z0-9_]{20,255})["']?\s*$/m, 'hub oauth_token', 20),
};

const npm: ContentRule[] = [
  token('npm-access-token', 'npm_token', ['npm_'], 'npm_[A-Za-z0-9]{36}', 4, 'npm access token'),
  {
    id: 'npmrc-auth-token',
    key: 'npm_token',
    keywords: ['_authtoken'],
    // Token characters only: `_authToken=([^$].*)/g` in a library's source is a regex, not a token.
    pattern: new RegExp(`${ci('_authToken')}\\s{0,4}=\\s{0,4}["']?(?<secret>[A-Za-z0-9._~+/=:-]{8,512})(?![^\\s'"])`),
    before: 0,
    after: 540,
    inConfig: true,
    generic: true,
    validate: () => ({ detail: '.npmrc _authToken' }),
  },
  {
    id: 'yarnrc-npm-auth-token',
    key: 'npm_token',
    keywords: ['npmauthtoken'],
    pattern: new RegExp(`${ci('npmAuthToken')}["']?\\s{0,4}:\\s{0,4}["']?(?<secret>[^\\s'"]{8,512})`),
    before: 0,
    after: 540,
    generic: true,
    validate: () => ({ detail: '.yarnrc.yml npmAuthToken' }),
  },
  {
    id: 'npmrc-legacy-auth',
    key: 'npm_token',
    keywords: ['_auth', '_password'],
    paths: ['**/.npmrc', '**/npmrc', '**/.yarnrc'],
    pattern: /(?<![\w])(?:_auth|_password)\s{0,4}=\s{0,4}["']?(?<secret>[A-Za-z0-9+/=]{8,512})/,
    before: 30,
    after: 540,
    generic: true,
    validate: () => ({ detail: '.npmrc _auth/_password' }),
  },
];

const pypi: ContentRule[] = [
  {
    id: 'pypi-upload-token',
    key: 'pypi_token',
    keywords: ['pypi-ageichlwas5vcmc', 'pypi-agendgvzdc5wexbplm9yzw'],
    pattern: /(?<![\w-])(?<secret>pypi-(?<test>AgENdGVzdC5weXBpLm9yZw|AgEIcHlwaS5vcmc)[A-Za-z0-9_-]{50,1000})(?![\w-])/,
    before: 1,
    after: 1040,
    entropy: 3.0,
    publicPrefix: 5,
    validate: (_s, m) => (m.groups?.test?.startsWith('AgEN') ? { severity: 'medium', detail: 'test.pypi.org token' } : true),
  },
];

/** `.pypirc` passwords and pip index URLs with credentials. */
const pypirc: StructRule = {
  id: 'pypirc-pip-conf',
  key: 'pypi_token',
  fileType: true,
  paths: ['**/.pypirc', '**/pip.conf', '**/pip.ini'],
  check(text) {
    const hits: StructHit[] = [];
    for (const e of parseIni(text)) {
      if (e.key === 'password' && e.value.length >= 4 && !isPlaceholderish(e.value)) hits.push({ secret: e.value, publicPrefix: e.value.startsWith('pypi-') ? 5 : 0, index: e.index, detail: `[${e.section}] password` });
    }
    for (const u of urlCredentials(text, 'https?')) if (!isPlaceholderish(u.password)) hits.push({ secret: u.password, index: u.index, detail: `index URL credentials for ${u.host}` });
    return hits;
  },
};

const rubygems: ContentRule[] = [token('rubygems-api-token', 'rubygem', ['rubygems_'], 'rubygems_[a-f0-9]{48}', 9)];

const gemCredentials: StructRule = {
  id: 'rubygems-credentials',
  key: 'rubygems_cred',
  fileType: true,
  paths: ['**/.gem/credentials', '**/.local/share/gem/credentials'],
  check: linesCheck(/^\s*:?[\w.-]*api_key:\s*["']?([A-Za-z0-9_]{16,100})["']?\s*$/m, 'gem credentials api key', 16),
};

const clojars: ContentRule[] = [
  {
    id: 'clojars-api-token',
    key: 'clojars_token',
    keywords: ['clojars_'],
    pattern: new RegExp(`${B}(?<secret>${ci('clojars_')}[a-zA-Z0-9]{60})${E}`),
    before: 1,
    after: 70,
    entropy: 3.0,
    publicPrefix: 8,
  },
];

/** Leiningen credentials/profiles and Maven settings: deploy passwords for Clojars (others: common_cred). */
const leinMaven: StructRule = {
  id: 'lein-maven-credentials',
  key: 'clojars_token',
  fileType: true,
  paths: ['**/.lein/credentials.clj', '**/.lein/credentials.clj.gpg', '**/.lein/profiles.clj', '**/.m2/settings.xml'],
  check(text, file) {
    const hits: StructHit[] = [];
    if (file.base.endsWith('.clj')) {
      const re = /:password\s+"([^"\n]{6,200})"/g;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        const v = m[1] ?? '';
        if (!isPlaceholderish(v)) hits.push({ secret: v, index: m.index + m[0].indexOf(v), detail: /clojars/i.test(text) ? 'Clojars deploy password' : 'Leiningen repository password', key: /clojars/i.test(text) ? undefined : 'common_cred' });
      }
      return hits;
    }
    const re = /<server>([\s\S]{0,2000}?)<\/server>/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const block = m[1] ?? '';
      const pw = /<(password|passphrase)>\s*([^<\s][^<]{0,500}?)\s*<\/\1>/.exec(block);
      const v = pw?.[2] ?? '';
      if (!pw || isPlaceholderish(v)) continue;
      const id = /<id>\s*([^<]{0,100}?)\s*<\/id>/.exec(block)?.[1] ?? '';
      hits.push({ key: /clojars/i.test(id) ? undefined : 'common_cred', secret: v, index: m.index + m[0].indexOf(v), detail: `Maven server ${id} ${pw[1]}` });
    }
    return hits;
  },
};

/** `"auth": "<base64 user:password>"` as in ~/.docker/config.json. */
function dockerAuth(b64: string): Classification | false {
  const raw = decodeBase64(b64)?.toString('utf8') ?? '';
  const colon = raw.indexOf(':');
  if (colon <= 0 || !/^[\x20-\x7e]+$/.test(raw)) return false;
  const user = raw.slice(0, colon);
  const pass = raw.slice(colon + 1);
  if (pass.length < 3 || isPlaceholderish(pass)) return false;
  return { masked: `${user.slice(0, 40)}:${maskSecret(pass)}`, detail: `registry login for ${user.slice(0, 40)}` };
}

const docker: ContentRule[] = [
  {
    id: 'docker-config-auth',
    key: 'docker_registry_cfg',
    keywords: ['"auth"'],
    pattern: /"auth"\s{0,4}:\s{0,4}"(?<secret>[A-Za-z0-9+/]{6,1024}={0,2})"/,
    before: 0,
    after: 1060,
    rejectPlaceholders: false,
    validate: (s) => dockerAuth(s),
  },
  {
    id: 'docker-config-identity-token',
    key: 'docker_registry_cfg',
    keywords: ['"identitytoken"', '"registrytoken"'],
    pattern: /"(?:identitytoken|registrytoken)"\s{0,4}:\s{0,4}"(?<secret>[^"\s]{10,4096})"/,
    before: 0,
    after: 4130,
    validate: () => ({ detail: 'registry identity token' }),
  },
  {
    id: 'k8s-dockerconfigjson',
    key: 'docker_registry_cfg',
    keywords: ['eyjhdxrocyi'],
    pattern: /(?<secret>eyJhdXRocyI[A-Za-z0-9+/]{20,6000}={0,2})/,
    before: 0,
    after: 6020,
    rejectPlaceholders: false,
    validate(s) {
      const doc = parseJson(decodeBase64(s.slice(0, s.length - (s.length % 4)) + '='.repeat(0))?.toString('utf8') ?? '');
      const auths = isRecord(doc) && isRecord(doc.auths) ? doc.auths : {};
      for (const entry of Object.values(auths)) {
        if (isRecord(entry) && typeof entry.auth === 'string') {
          const c = dockerAuth(entry.auth);
          if (c) return { ...c, detail: `Kubernetes .dockerconfigjson: ${c.detail}` };
        }
        if (isRecord(entry) && typeof entry.password === 'string' && !isPlaceholderish(entry.password)) return { masked: maskSecret(entry.password), detail: 'Kubernetes .dockerconfigjson password' };
      }
      return false;
    },
  },
  token('docker-hub-pat', 'docker_registry_cfg', ['dckr_pat_'], 'dckr_pat_[A-Za-z0-9_-]{27,36}', 9, 'Docker Hub personal access token'),
];

/** Jenkins XML: `<password>`, `<secret>`, `<privateKey>`… (`{AQAAAB…}` values decrypt with secrets/master.key). */
function jenkinsXml(text: string): StructHit[] {
  const hits: StructHit[] = [];
  const re = /<(password|secret|privateKey|passphrase|secretPassword|secretPassphrase|apiToken|secretBytes|encryptedPassword)>\s*([^<\s][^<]{2,8000}?)\s*<\/\1>/g;
  for (let m = re.exec(text); m && hits.length < 50; m = re.exec(text)) {
    const v = m[2] ?? '';
    if (isPlaceholderish(v) || v.startsWith('${')) continue;
    const encrypted = /^\{[A-Za-z0-9+/=]{16,}\}$/.test(v);
    hits.push({ secret: v, index: m.index + m[0].indexOf(v), detail: `<${m[1]}>${encrypted ? ' (Jenkins-encrypted; decryptable with secrets/master.key)' : ''}` });
  }
  return hits;
}

const jenkinsCred: StructRule = {
  id: 'jenkins-credentials-xml',
  key: 'jenkins_cred',
  fileType: true,
  paths: ['**/credentials.xml', '**/jenkins_home/**/*.xml', '**/.jenkins/**/*.xml', '**/jenkins/**/config.xml'],
  excludePaths: ['**/jenkins.plugins.publish_over_ssh.BapSshPublisherPlugin.xml', '**/jenkins_home/**/*ssh*.xml'],
  check: (text) => (/jenkins|hudson|cloudbees|<credentials|<com\./i.test(text.slice(0, 4096)) ? jenkinsXml(text) : []),
};

const jenkinsSsh: StructRule = {
  id: 'jenkins-publish-over-ssh',
  key: 'jenkins_ssh',
  fileType: true,
  paths: ['**/jenkins.plugins.publish_over_ssh.BapSshPublisherPlugin.xml', '**/jenkins_home/**/*ssh*.xml', '**/.jenkins/**/*ssh*.xml'],
  check(text) {
    const hits = jenkinsXml(text);
    const key = /<key>\s*(-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----)/.exec(text);
    if (key) hits.push({ masked: `${key[1]}****`, index: key.index, detail: 'inline SSH private key' });
    return hits;
  },
};

const jenkinsSecrets: PathRule = {
  id: 'jenkins-master-key',
  key: 'jenkins_cred',
  fileType: true,
  paths: ['**/secrets/hudson.util.Secret', '**/jenkins*/secrets/master.key', '**/.jenkins/secrets/master.key', '**/jenkins_home/secrets/master.key'],
  label: 'Jenkins secrets',
  binary: true,
  detail: 'Jenkins master key material: decrypts every stored credential',
};

const vault: ContentRule[] = [
  {
    id: 'vault-token',
    key: 'hashicorp_vault_token',
    keywords: ['hvs.', 'hvb.', 'hvr.'],
    pattern: /(?<![\w.-])(?<secret>hv[sbr]\.[A-Za-z0-9_-]{24,300})(?![\w-])/,
    before: 1,
    after: 320,
    entropy: 3.5,
    publicPrefix: 4,
  },
  {
    id: 'vault-legacy-token',
    key: 'hashicorp_vault_token',
    keywords: ['vault'],
    pattern: assign(ci('vault'), '[sbr]\\.[A-Za-z0-9_-]{24,120}(?![A-Za-z0-9_-])'),
    before: 0,
    after: 80,
    entropy: 3.5,
    publicPrefix: 2,
    inConfig: true,
  },
  {
    // Pre-1.10 service/batch/recovery tokens (`s.` + 24) assigned to a `token` field.
    id: 'vault-legacy-token-field',
    key: 'hashicorp_vault_token',
    keywords: ['token'],
    requires: ['s.', 'b.', 'r.'],
    pattern: assign(ci('token'), '[sbr]\\.[A-Za-z0-9]{24}(?![A-Za-z0-9])'),
    before: 0,
    after: 70,
    entropy: 3.5,
    publicPrefix: 2,
    validate: (s) => /[A-Z]/.test(s) && /[a-z]/.test(s.slice(2)) && /[0-9]/.test(s),
  },
  {
    id: 'vault-token-env',
    key: 'hashicorp_vault_token',
    keywords: ['vault_token'],
    pattern: new RegExp(`${ci('vault_token')}["']?\\s{0,4}[=:]\\s{0,4}["']?(?<secret>[A-Za-z0-9._-]{20,300})`),
    before: 0,
    after: 330,
    generic: true,
    entropy: 3.0,
    inConfig: true,
  },
];

/** `~/.vault-token` holds one token and nothing else. */
const vaultTokenFile: StructRule = {
  id: 'vault-token-file',
  key: 'hashicorp_vault_token',
  fileType: true,
  paths: ['**/.vault-token'],
  maxBytes: 4096,
  check(text) {
    const t = text.trim();
    return /^[A-Za-z0-9._-]{20,400}$/.test(t) && !isPlaceholder(t) ? [{ secret: t, publicPrefix: /^hv[sbr]\./.test(t) ? 4 : 0, index: text.indexOf(t) }] : [];
  },
};

const terraform: ContentRule[] = [
  {
    id: 'terraform-cloud-token',
    key: 'hashicorp_terraform_token',
    keywords: ['.atlasv1.'],
    pattern: /(?<![A-Za-z0-9])(?<secret>[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})(?![\w=-])/,
    before: 15,
    after: 72,
    entropy: 3.5,
  },
  {
    id: 'terraform-token-env',
    key: 'hashicorp_terraform_token',
    keywords: ['tf_token_'],
    pattern: /TF_TOKEN_\w{1,100}\s{0,4}=\s{0,4}["']?(?<secret>[A-Za-z0-9._=-]{20,200})/,
    before: 0,
    after: 320,
    generic: true,
    entropy: 3.0,
  },
];

const terraformFiles: StructRule = {
  id: 'terraform-cli-credentials',
  key: 'hashicorp_terraform_token',
  fileType: true,
  paths: ['**/.terraform.d/credentials.tfrc.json', '**/.terraformrc', '**/terraform.rc'],
  check(text, file) {
    if (file.base.endsWith('.json')) return jsonKeysCheck(['token'], 'credentials.tfrc.json', 16)(text, file, false);
    return linesCheck(/^\s*token\s*=\s*"([^"\n]{16,300})"/m, 'CLI config token', 16)(text, file, false);
  },
};

const pulumi: ContentRule[] = [token('pulumi-api-token', 'pulumi_token', ['pul-'], 'pul-[a-f0-9]{40}', 4)];

const pulumiCredentials: StructRule = {
  id: 'pulumi-credentials',
  key: 'pulumi_token',
  fileType: true,
  paths: ['**/.pulumi/credentials.json'],
  check(text) {
    const doc = parseJson(text);
    if (!isRecord(doc) || !isRecord(doc.accessTokens)) return [];
    return Object.values(doc.accessTokens)
      .filter((v): v is string => typeof v === 'string' && v.length >= 16 && !isPlaceholder(v))
      .map((v) => ({ secret: v, publicPrefix: v.startsWith('pul-') ? 4 : 0, index: indexOfJsonValue(text, v) }));
  },
};

const KUBECONFIG = ['**/.kube/config', '**/.kube/*.yaml', '**/.kube/*.yml', '**/kubeconfig*', '**/*.kubeconfig', 'etc/kubernetes/*.conf'];
const DASHBOARD = ['**/*dashboard*token*', '**/*dashboard*admin*.y*ml', '**/kubernetes-dashboard*/**'];

const DASHBOARD_SET = new GlobSet(DASHBOARD);
const KUBECONFIG_SET = new GlobSet(KUBECONFIG);

/** Kubernetes service-account JWTs: dashboard ones are `kubernetes_dashboard_cred`, kubeconfig ones `k8s_client_key`. */
function classifyJwt(secret: string, file: FileContext): Verdict {
  const jwt = decodeJwt(secret);
  if (!jwt) return false;
  const p = jwt.payload;
  const claims = JSON.stringify(p).slice(0, 4000);
  const k8s = typeof p.iss === 'string' && /kubernetes/.test(p.iss) ? true : /kubernetes\.io/.test(claims);
  const dashboard = /kubernetes-dashboard|dashboard-admin|admin-user/.test(claims) || DASHBOARD_SET.matches(file.path);
  if (dashboard && (k8s || DASHBOARD_SET.matches(file.path))) return { key: 'kubernetes_dashboard_cred', detail: 'Kubernetes Dashboard service-account token' };
  if (!k8s) return false;
  if (KUBECONFIG_SET.matches(file.path) || file.path.includes('kubeconfig')) return { key: 'k8s_client_key', detail: 'service-account token in a kubeconfig' };
  return { key: 'common_cred', catchAll: true, detail: 'Kubernetes service-account token' };
}


const kubernetes: ContentRule[] = [
  {
    id: 'kubernetes-service-account-jwt',
    key: 'kubernetes_dashboard_cred',
    keywords: ['eyjhbgcio', 'eyj0exaioijkv1qi'],
    pattern: /(?<![\w-])(?<secret>eyJ[A-Za-z0-9_-]{10,1000}\.eyJ[A-Za-z0-9_-]{10,4000}\.[A-Za-z0-9_-]{10,1000})(?![\w-])/,
    before: 1,
    after: 6020,
    publicPrefix: 3,
    inConfig: true,
    validate: (s, _m, file) => classifyJwt(s, file),
  },
  {
    id: 'kubeconfig-token',
    key: 'k8s_client_key',
    keywords: ['token:'],
    paths: KUBECONFIG,
    pattern: /(?<![\w-])token:\s{0,4}["']?(?<secret>[A-Za-z0-9._~+/=-]{20,4096})/,
    before: 1,
    after: 4120,
    generic: true,
    entropy: 3.0,
    validate: () => ({ detail: 'bearer token in a kubeconfig' }),
  },
];

/** Static auth files of the API server (`--token-auth-file`, `--basic-auth-file`): `secret,user,uid[,groups]`. */
const k8sStaticAuth: StructRule = {
  id: 'kubernetes-static-auth-csv',
  key: 'kubernetes_dashboard_cred',
  fileType: true,
  paths: ['etc/kubernetes/**/basic_auth.csv', 'etc/kubernetes/**/*token*.csv', '**/known_tokens.csv'],
  check(text) {
    const hits: StructHit[] = [];
    for (const { line, index } of contentLines(text)) {
      const cols = line.split(',');
      const secret = (cols[0] ?? '').trim();
      if (cols.length >= 3 && secret.length >= 4 && !isPlaceholder(secret)) hits.push({ secret, index, detail: `static ${/token/.test(line) ? 'token' : 'auth'} entry for ${(cols[1] ?? '').trim().slice(0, 40)}` });
    }
    return hits;
  },
};

const dashboardPaths: PathRule = {
  id: 'kubernetes-dashboard-files',
  key: 'kubernetes_dashboard_cred',
  rank: 60,
  paths: DASHBOARD,
  label: 'Kubernetes Dashboard credentials file',
  requireAny: ['token', 'password'],
};

export const devContentRules: ContentRule[] = [...github, ...gitlab, ...npm, ...pypi, ...rubygems, ...clojars, ...docker, ...vault, ...terraform, ...pulumi, ...kubernetes];
export const devStructRules: StructRule[] = [gitCredentials, gitConfig, githubHub, pypirc, gemCredentials, leinMaven, jenkinsCred, jenkinsSsh, vaultTokenFile, terraformFiles, pulumiCredentials, k8sStaticAuth];
export const devPathRules: PathRule[] = [jenkinsSecrets, dashboardPaths];
