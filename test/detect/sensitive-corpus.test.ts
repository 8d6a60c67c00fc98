/**
 * The peer corpora in ../shared/data/secrets-corpus, with what each peer's own tests expect,
 * mapped to Tarsier's keys. Where Tarsier deliberately differs (placeholder values, public keys,
 * fragments that are not keys, types outside the 112-key catalog), the difference is listed
 * below with its reason; any other miss or extra finding fails.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { CompiledRuleSet } from '../../src/detect/sensitive/ruleset.js';
import { scanBuffer } from '../../src/detect/sensitive/scanner.js';

const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/secrets-corpus');
const hasCorpus = existsSync(path.join(corpus, 'MANIFEST.json'));
const rules = new CompiledRuleSet();

interface Finding {
  rule?: string;
  message_id?: string | null;
}
interface Expectation {
  peer: string;
  config?: string;
  findings?: Finding[];
  rules?: unknown;
}
interface Entry {
  file: string;
  inputs?: string[];
  expected?: Expectation[];
  role?: string;
}
const manifest: { entries: Entry[] } = hasCorpus ? JSON.parse(readFileSync(path.join(corpus, 'MANIFEST.json'), 'utf8')) : { entries: [] };

const PRIVATE_KEY_FAMILY = ['common_private_key', 'rsa_private_key', 'ec_private_key', 'dsa_private_key', 'openssh_private_key', 'pgp_private_key', 'pem', 'ssh_private_key'];

/** Peer rule (or secretlint message id) → the Tarsier keys that cover it. Absent: outside the catalog. */
const PEER_RULES: Record<string, string[]> = {
  // trivy
  'aws-access-key-id': ['aws_access_key'],
  'aws-secret-access-key': ['aws_access_key'],
  'private-key': PRIVATE_KEY_FAMILY,
  'github-pat': ['github_personal_token'],
  'github-fine-grained-pat': ['github_personal_token'],
  'stripe-publishable-token': ['stripe_skpk'],
  'symfony-default-secret': ['common_cred'],
  'maven-settings-security-master': ['common_cred'],
  // secretlint message ids
  AWSAccessKeyID: ['aws_access_key'],
  BasicAuth: ['common_cred', 'ftp_cfg'],
  MongoDBConnection: ['common_database_cfg'],
  MySQLConnection: ['common_database_cfg'],
  PostgreSQLConnection: ['common_database_cfg', 'postgresql_passwd'],
  DATABRICKS_PERSONAL_ACCESS_TOKEN: ['databricks_token'],
  DOCKER_PERSONAL_ACCESS_TOKEN: ['docker_registry_cfg'],
  PrivateKeyJSON: ['googlecloud_api_key'],
  PrivateKeyP12: ['pkcs_private_key', 'googlecloud_api_key'],
  GITHUB_TOKEN: ['github_personal_token'],
  GITLAB_PERSONAL_ACCESS_TOKEN: ['gitLab_personal_token'],
  GRAFANA_CLOUD_API_TOKEN: ['grafana_token'],
  GRAFANA_SERVICE_ACCOUNT_TOKEN: ['grafana_token'],
  HASHICORP_VAULT_SERVICE_TOKEN: ['hashicorp_vault_token'],
  HASHICORP_VAULT_BATCH_TOKEN: ['hashicorp_vault_token'],
  HASHICORP_VAULT_RECOVERY_TOKEN: ['hashicorp_vault_token'],
  NPM_ACCESS_TOKEN: ['npm_token'],
  Npmrc_authToken: ['npm_token'],
  PackageJSON_xOauthToken: ['github_oauth_token'],
  PrivateKey: PRIVATE_KEY_FAMILY,
  IncomingWebhook: ['slack_token'],
  SLACK_TOKEN: ['slack_token'],
  SLACK_USER_TOKEN: ['slack_token'],
  SLACK_APP_LEVEL_TOKEN: ['slack_token'],
  STRIPE_SECRET_KEY: ['stripe_skpk'],
};

/** Cases where Tarsier's result deliberately differs from the peer's, with the reason. */
const DEVIATIONS: Record<string, string> = {
  'trivy/asymmetric-private-secret.txt': 'a key fragment whose body is not DER/OpenSSH: structural validation rejects it',
  'trivy/asymmetric-private-secret.json': 'same fragment inside JSON',
  'trivy/obfuscated.js': 'Stripe publishable keys are public by design; Tarsier does not report them',
  'secretlint/basicauth/ng.basic-auth-ftp-url/': '`user:pass` is a documentation placeholder',
  'secretlint/basicauth/ng.basic-auth-http-url/': '`user:pass` is a documentation placeholder',
  'secretlint/basicauth/ng.basic-auth-in-markdown/': '`user:pass` placeholders (and Markdown is an allowlisted path in images)',
  'secretlint/gcp/ok.invalid-p12-no-mac/': 'a PKCS#12 without MacData is still a key bundle; Tarsier reports it by structure',
};

/** The file name a case's input has in its peer's test (secretlint options.ts `inputFilePath`). */
function inputName(e: Entry, input: string): string {
  const opts = path.join(corpus, e.file, 'options.ts');
  if (existsSync(opts)) {
    const m = /inputFilePath:\s*"([^"]+)"/.exec(readFileSync(opts, 'utf8'));
    if (m?.[1]) return m[1];
  }
  return input;
}

/** Input bytes: the file, or (secretlint snapshots without one) the `sourceContent` of output.json. */
function inputBytes(e: Entry, input: string): Buffer | null {
  const f = path.join(corpus, e.file, input);
  if (existsSync(f)) return readFileSync(f);
  const out = path.join(corpus, e.file, 'output.json');
  if (!existsSync(out)) return null;
  const src = (JSON.parse(readFileSync(out, 'utf8')) as { sourceContent?: string }).sourceContent;
  return src === undefined ? null : Buffer.from(src);
}

const keysOf = (p: string, data: Buffer | string, rs = rules) => (rs.wants(p, Buffer.byteLength(data)) ? scanBuffer(rs, p, data).map((f) => f.key) : []);

/** secretlint `options.allows` (values the peer's config allows) become Tarsier `allowValues`. */
function rulesFor(e: Entry): CompiledRuleSet {
  const rc = path.join(corpus, e.file, '.secretlintrc.json');
  if (!existsSync(rc)) return rules;
  const cfg = JSON.parse(readFileSync(rc, 'utf8')) as { rules?: Array<{ options?: { allows?: string[] } }> };
  const allows = (cfg.rules ?? []).flatMap((r) => r.options?.allows ?? []);
  return allows.length ? new CompiledRuleSet({ allowValues: allows.map((a) => `^${a.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`) }) : rules;
}

describe.skipIf(!hasCorpus)('peer corpora', () => {
  const scanned = manifest.entries.filter((e) => !e.role && (e.file.startsWith('trivy/') || e.file.startsWith('secretlint/')));

  it.each(scanned.map((e) => [e.file, e] as const))('%s', (file, e) => {
    const exp = (e.expected ?? []).find((x) => x.config === undefined || /skip-test|config\.yaml$/.test(x.config)) ?? e.expected?.[0];
    const peerRules = (exp?.findings ?? []).map((f) => f.message_id ?? f.rule ?? '');
    if (peerRules.some((r) => r === 'rule1' || r === 'multi-line-secret')) return; // trivy custom-config cases: see sensitive-engine.test.ts
    const inputs = e.inputs ?? [path.basename(e.file)];
    const found = new Set<string>();
    const rs = rulesFor(e);
    for (const input of inputs) {
      const data = e.inputs ? inputBytes(e, input) : readFileSync(path.join(corpus, e.file));
      if (!data) continue;
      for (const k of keysOf(`srv/app/${e.inputs ? inputName(e, input) : path.basename(e.file)}`, data, rs)) found.add(k);
    }
    const mapped = peerRules.filter((r) => PEER_RULES[r]);
    const deviation = DEVIATIONS[file];
    if (mapped.length > 0) {
      const ok = mapped.every((r) => (PEER_RULES[r] as string[]).some((k) => found.has(k)));
      expect(ok, `${file}: peer expects ${mapped.join(', ')}, Tarsier found ${[...found].join(', ') || 'nothing'}${deviation ? ` (deviation: ${deviation})` : ''}`).toBe(!deviation);
    } else if (peerRules.length === 0) {
      // The peer expects nothing: Tarsier must not report anything either.
      expect([...found].length === 0, `${file}: peer expects no finding, Tarsier found ${[...found].join(', ')}`).toBe(!deviation);
    }
  });

  it('osv-scalibr credential files', () => {
    const read = (p: string) => readFileSync(path.join(corpus, 'osv-scalibr', p));
    expect(keysOf('root/.pgpass', read('pgpass/valid/.pgpass'))).toEqual(['postgresql_passwd']);
    expect(keysOf('root/.pgpass', read('pgpass/invalid/.pgpass'))).toEqual([]);
    expect(keysOf('root/.aws/credentials', read('aws/.aws/credentials'))).toEqual(['aws_cli']);
    expect(keysOf('root/random_content', read('aws/random_content'))).toEqual([]);
    expect(keysOf('root/.composer/auth.json', read('composer/multiple_hosts/auth.json'))).toEqual(['common_cred']);
    expect(keysOf('root/.mylogin.cnf', read('mysql/valid/.mylogin.cnf'))).toEqual(['common_database_cfg']);
  });

  it('gitleaks: the OpenSSH key of its symlink test and an htpasswd of trivy', () => {
    const key = readFileSync(path.join(corpus, 'gitleaks/id_ed25519'));
    expect(keysOf('root/.ssh/id_ed25519', key)).toEqual(['ssh_private_key']);
    expect(keysOf('srv/backup/identity', key)).toEqual(['openssh_private_key']);
    expect(keysOf('etc/registry/auth/htpasswd', readFileSync(path.join(corpus, 'trivy/registry/htpasswd')))).toEqual(['apache_htpasswd']);
  });
});

/** gitleaks rule → Tarsier keys, and the path a string is scanned at (the rule must apply there). */
const GITLEAKS: Record<string, { keys: string[]; path: string }> = {
  'atlassian-api-token': { keys: ['atlassian_token'], path: 'srv/app/config.txt' },
  'aws-access-token': { keys: ['aws_access_key'], path: 'srv/app/config.txt' },
  'curl-auth-user': { keys: ['common_cred'], path: 'srv/ci/run.sh' },
  'curl-auth-header': { keys: ['common_cred'], path: 'srv/ci/run.sh' },
  'databricks-api-token': { keys: ['databricks_token'], path: 'srv/app/config.txt' },
  'gcp-service-account': { keys: ['googlecloud_api_key'], path: 'srv/app/sa.json' },
  'gcp-api-key': { keys: ['googlecloud_api_key'], path: 'srv/app/config.txt' },
  'generic-api-key': { keys: ['common_cred'], path: 'srv/app/app.conf' },
  'github-pat': { keys: ['github_personal_token'], path: 'srv/app/config.txt' },
  'github-fine-grained-pat': { keys: ['github_personal_token'], path: 'srv/app/config.txt' },
  'github-oauth': { keys: ['github_oauth_token'], path: 'srv/app/config.txt' },
  'github-app-token': { keys: ['github_app_token'], path: 'srv/app/config.txt' },
  'github-refresh-token': { keys: ['github_refresh_token'], path: 'srv/app/config.txt' },
  'gitlab-pat': { keys: ['gitLab_personal_token'], path: 'srv/app/config.txt' },
  'gitlab-pat-routable': { keys: ['gitLab_personal_token'], path: 'srv/app/config.txt' },
  'gitlab-ptt': { keys: ['gitLab_personal_token'], path: 'srv/app/config.txt' },
  'gitlab-rrt': { keys: ['gitLab_personal_token'], path: 'srv/app/config.txt' },
  'gitlab-runner-authentication-token-routable': { keys: ['gitLab_personal_token'], path: 'srv/app/config.txt' },
  'grafana-cloud-api-token': { keys: ['grafana_token'], path: 'srv/app/config.txt' },
  'grafana-service-account-token': { keys: ['grafana_token'], path: 'srv/app/config.txt' },
  'hashicorp-tf-api-token': { keys: ['hashicorp_terraform_token'], path: 'srv/app/config.txt' },
  'vault-service-token': { keys: ['hashicorp_vault_token'], path: 'srv/app/config.txt' },
  'private-key': { keys: PRIVATE_KEY_FAMILY, path: 'srv/app/config.txt' },
  'pulumi-api-token': { keys: ['pulumi_token'], path: 'srv/app/config.txt' },
  'sidekiq-sensitive-url': { keys: ['common_cred'], path: 'srv/app/config.txt' },
  'slack-bot-token': { keys: ['slack_token'], path: 'srv/app/config.txt' },
  'slack-user-token': { keys: ['slack_token'], path: 'srv/app/config.txt' },
  'slack-config-access-token': { keys: ['slack_token'], path: 'srv/app/config.txt' },
  'slack-config-refresh-token': { keys: ['slack_token'], path: 'srv/app/config.txt' },
  'slack-legacy-bot-token': { keys: ['slack_token'], path: 'srv/app/config.txt' },
  'slack-legacy-workspace-token': { keys: ['slack_token'], path: 'srv/app/config.txt' },
  'slack-legacy-token': { keys: ['slack_token'], path: 'srv/app/config.txt' },
  'slack-webhook-url': { keys: ['slack_token'], path: 'srv/app/config.txt' },
  'square-access-token': { keys: ['square_token'], path: 'srv/app/config.txt' },
};

const gitleaksFile = path.join(corpus, 'gitleaks/rules-tps-fps.json');
const gitleaks: Array<{ rule: string; tps?: string[]; fps?: string[] }> = hasCorpus ? (JSON.parse(readFileSync(gitleaksFile, 'utf8')) as { rules: Array<{ rule: string; tps?: string[]; fps?: string[] }> }).rules : [];

/** gitleaks strings where Tarsier deliberately disagrees, with the reason. */
const GITLEAKS_DEVIATIONS: Record<string, string> = {
  '"type": "service_account"': 'the type line alone is not a credential; Tarsier requires the private key that follows it',
};

describe.skipIf(!hasCorpus)('gitleaks true and false positives', () => {
  const mapped = gitleaks.filter((r) => GITLEAKS[r.rule]);
  it.each(mapped.map((r) => [r.rule, r] as const))('%s', (_name, r) => {
    const m = GITLEAKS[r.rule] as { keys: string[]; path: string };
    for (const tp of r.tps ?? []) {
      const keys = keysOf(m.path, tp);
      if (GITLEAKS_DEVIATIONS[tp]) continue;
      expect(keys.some((k) => m.keys.includes(k)), `true positive not found (${keys.join(',')}): ${tp.slice(0, 160)}`).toBe(true);
    }
    for (const fp of r.fps ?? []) {
      const keys = keysOf(m.path, fp);
      if (GITLEAKS_DEVIATIONS[fp]) continue;
      expect(keys.filter((k) => m.keys.includes(k)), `false positive reported: ${fp.slice(0, 160)}`).toEqual([]);
    }
  });
});

/** Nosey Parker rule → Tarsier keys and the path its examples are scanned at. */
const NOSEY: Record<string, { keys: string[]; path: string }> = {
  'np.age.2': { keys: ['common_private_key'], path: 'srv/app/keys.txt' },
  'np.aws.1': { keys: ['aws_access_key', 'aws_session_token'], path: 'srv/app/config.txt' },
  'np.aws.2': { keys: ['aws_access_key'], path: 'srv/app/config.txt' },
  'np.aws.4': { keys: ['aws_session_token'], path: 'srv/app/config.txt' },
  'np.aws.5': { keys: ['amazon_mws_token'], path: 'srv/app/config.txt' },
  'np.aws.6': { keys: ['aws_access_key'], path: 'srv/app/config.txt' },
  'np.django.1': { keys: ['django_key'], path: 'srv/app/settings.py' },
  'np.dockerhub.1': { keys: ['docker_registry_cfg'], path: 'srv/app/config.txt' },
  'np.dynatrace.1': { keys: ['dynatrace_token'], path: 'srv/app/config.txt' },
  'np.github.1': { keys: ['github_personal_token'], path: 'srv/app/config.txt' },
  'np.github.2': { keys: ['github_oauth_token'], path: 'srv/app/config.txt' },
  'np.github.3': { keys: ['github_app_token'], path: 'srv/app/config.txt' },
  'np.github.4': { keys: ['github_refresh_token'], path: 'srv/app/config.txt' },
  'np.github.7': { keys: ['github_personal_token'], path: 'srv/app/config.txt' },
  'np.gitlab.1': { keys: ['gitLab_personal_token'], path: 'srv/app/config.txt' },
  'np.gitlab.2': { keys: ['gitLab_personal_token'], path: 'srv/app/config.txt' },
  'np.gitlab.3': { keys: ['gitLab_personal_token'], path: 'srv/app/config.txt' },
  'np.google.2': { keys: ['google_oauth_key'], path: 'srv/app/config.txt' },
  'np.google.3': { keys: ['google_oauth_key'], path: 'srv/app/config.txt' },
  'np.google.4': { keys: ['google_oauth_token'], path: 'srv/app/config.txt' },
  'np.google.5': { keys: ['googlecloud_api_key'], path: 'srv/app/config.txt' },
  'np.google.6': { keys: ['google_oauth_key'], path: 'srv/app/config.txt' },
  'np.grafana.1': { keys: ['grafana_token'], path: 'srv/app/config.txt' },
  'np.grafana.2': { keys: ['grafana_token'], path: 'srv/app/config.txt' },
  'np.grafana.3': { keys: ['grafana_token'], path: 'srv/app/config.txt' },
  'np.hashicorp.1': { keys: ['hashicorp_vault_token'], path: 'srv/app/config.txt' },
  'np.hashicorp.2': { keys: ['hashicorp_vault_token'], path: 'srv/app/config.txt' },
  'np.hashicorp.3': { keys: ['hashicorp_vault_token'], path: 'srv/app/config.txt' },
  'np.hashicorp.4': { keys: ['hashicorp_vault_token'], path: 'srv/app/config.txt' },
  'np.hashicorp.5': { keys: ['hashicorp_vault_token'], path: 'srv/app/config.txt' },
  'np.hashicorp.6': { keys: ['hashicorp_vault_token'], path: 'srv/app/config.txt' },
  'np.mailchimp.1': { keys: ['mailchimp_api_key'], path: 'srv/app/config.txt' },
  'np.mongodb.1': { keys: ['common_database_cfg'], path: 'srv/app/config.txt' },
  'np.postgres.1': { keys: ['common_database_cfg'], path: 'srv/app/config.txt' },
  'np.odbc.1': { keys: ['common_database_cfg'], path: 'srv/app/config.txt' },
  'np.netrc.1': { keys: ['netrc_cfg'], path: 'root/.netrc' },
  'np.npm.1': { keys: ['npm_token'], path: 'srv/app/config.txt' },
  'np.pem.1': { keys: PRIVATE_KEY_FAMILY, path: 'srv/app/config.txt' },
  'np.pem.2': { keys: PRIVATE_KEY_FAMILY, path: 'srv/app/config.txt' },
  'np.pypi.1': { keys: ['pypi_token'], path: 'srv/app/config.txt' },
  'np.salesforce.1': { keys: ['salesforce'], path: 'srv/app/config.txt' },
  'np.slack.2': { keys: ['slack_token'], path: 'srv/app/config.txt' },
  'np.slack.3': { keys: ['slack_token'], path: 'srv/app/config.txt' },
  'np.slack.4': { keys: ['slack_token'], path: 'srv/app/config.txt' },
  'np.slack.5': { keys: ['slack_token'], path: 'srv/app/config.txt' },
  'np.slack.6': { keys: ['slack_token'], path: 'srv/app/config.txt' },
  'np.stripe.1': { keys: ['stripe_skpk'], path: 'srv/app/config.txt' },
  'np.stripe.2': { keys: ['stripe_skpk'], path: 'srv/app/config.txt' },
};

/** Nosey Parker examples Tarsier deliberately does not report, with the reason. */
const NOSEY_DEVIATIONS: Array<[RegExp, string]> = [
  [/^AKIADEADBEEFDEADBEEF$/, 'below the entropy floor of AWS key IDs (3.0 bits/char, as gitleaks)'],
  [/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/, 'one repeated character: a placeholder'],
  [/xoxb-0000000000-0000000000000-x{24}/, 'zeros and x’s: a placeholder (gitleaks lists the same shape as a false positive)'],
  [/"client_secret":"aaaa|google_client_secret = 'fnhq|'clientSecret' : 'Ufvuj/, 'legacy 24-character OAuth secret without a Google client ID nearby: indistinguishable from other vendors'],
  [/user:secret@|Password=secret;|Password=myPassword;|Pwd=myPassword;|Password =specialbill_user|\$password = /, 'placeholder or user-equals-password credentials (secretlint’s rule); PHP variables are checked in PHP files only'],
];

describe.skipIf(!hasCorpus)('Nosey Parker examples and negative examples', () => {
  const files = hasCorpus ? manifest.entries.filter((e) => e.file.startsWith('noseyparker/rules/')) : [];
  const all = files.flatMap((e) => (YAML.parse(readFileSync(path.join(corpus, e.file), 'utf8')) as { rules: Array<{ id: string; examples?: string[]; negative_examples?: string[] }> }).rules);
  const mapped = all.filter((r) => NOSEY[r.id]);

  it.each(mapped.map((r) => [r.id, r] as const))('%s', (_id, r) => {
    const m = NOSEY[r.id] as { keys: string[]; path: string };
    for (const ex of r.examples ?? []) {
      if (NOSEY_DEVIATIONS.some(([re]) => re.test(ex))) continue;
      const keys = keysOf(m.path, ex);
      expect(keys.some((k) => m.keys.includes(k)), `example not found (${keys.join(',')}): ${ex.slice(0, 200)}`).toBe(true);
    }
    // A negative example of one rule may be a positive of a sibling rule reported under the same key.
    const siblingExamples = new Set(mapped.filter((s) => s !== r && (NOSEY[s.id] as { keys: string[] }).keys.some((k) => m.keys.includes(k))).flatMap((s) => s.examples ?? []));
    for (const neg of r.negative_examples ?? []) {
      if (siblingExamples.has(neg)) continue;
      const keys = keysOf(m.path, neg);
      expect(keys.filter((k) => m.keys.includes(k)), `negative example reported: ${neg.slice(0, 200)}`).toEqual([]);
    }
  });

  it('reports nothing for the negative examples of types outside the catalog', () => {
    const examples = new Set(all.flatMap((r) => r.examples ?? []));
    const reported = all
      .filter((r) => !NOSEY[r.id])
      .flatMap((r) => (r.negative_examples ?? []).filter((n) => !examples.has(n)).map((n) => ({ id: r.id, n, keys: keysOf('srv/app/config.txt', n) })))
      .filter((x) => x.keys.length > 0);
    expect(reported).toEqual([]);
  });
});
