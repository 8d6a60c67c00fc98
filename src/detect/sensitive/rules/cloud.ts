/** Cloud-provider credentials: AWS, Google Cloud, Tencent Cloud, Huawei Cloud, DigitalOcean, Heroku, Databricks. */
import { indexOfJsonValue, isRecord, parseIni, parseJson } from '../formats.js';
import { maskSecret } from '../mask.js';
import { isPlaceholder, shannonEntropy } from '../validators.js';
import { verifyPemBody } from './keys.js';
import { assign, B, ci, ciAny, E, UUID } from './helpers.js';
import { iniPairCheck, jsonKeysCheck } from './struct-helpers.js';
import type { ContentRule, PathRule, StructHit, StructRule } from './types.js';

/** Values AWS publishes in its documentation. */
const AWS_EXAMPLE = [/EXAMPLE/, /^AKIAI44QH8DHBEXAMPLE$/];

const awsKeyId: ContentRule = {
  id: 'aws-access-key-id',
  key: 'aws_access_key',
  family: 'aws',
  rank: 30,
  keywords: ['akia', 'asia', 'abia', 'acca', 'a3t'],
  pattern: new RegExp(`${B}(?<secret>(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})${E}`),
  before: 1,
  after: 24,
  entropy: 3.0,
  publicPrefix: 4,
  allow: AWS_EXAMPLE,
  validate: (s) => (s.startsWith('ASIA') ? { detail: 'temporary (STS) access key ID' } : { detail: 'access key ID' }),
};

const awsSecret: ContentRule = {
  id: 'aws-secret-access-key',
  key: 'aws_access_key',
  family: 'aws',
  rank: 20,
  keywords: ['aws'],
  pattern: assign(`${ci('aws')}[\\w.-]{0,20}?${ciAny(['secret', 'sec', 'private'])}`, '[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])'),
  before: 0,
  after: 120,
  entropy: 3.5,
  allow: AWS_EXAMPLE,
  inConfig: true,
  validate: () => ({ detail: 'secret access key' }),
};

const awsSession: ContentRule = {
  id: 'aws-session-token',
  key: 'aws_session_token',
  family: 'aws',
  rank: 10,
  keywords: ['session_token', 'session-token', 'sessiontoken', 'security_token', 'security-token', 'iqojb3jpz2lux2vj', 'fwogzxivyxdz'],
  pattern: new RegExp(
    `(?:${ciAny(['aws_session_token', 'aws-session-token', 'awssessiontoken', 'aws_security_token', 'x-amz-security-token', 'sessiontoken', 'session_token'])}["']?\\s{0,4}(?:=>|=|:)\\s{0,4}["']?(?<secret>[A-Za-z0-9/+=._-]{100,1500})|(?<bare>(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE)[A-Za-z0-9/+=]{200,1500}))`,
  ),
  secretGroup: 'secret',
  before: 30,
  after: 1560,
  entropy: 4.0,
  allow: AWS_EXAMPLE,
  validate: (_s, m) => (m.groups?.bare ? { masked: `${m.groups.bare.slice(0, 12)}****` } : true),
};

/** The whole AWS CLI / s3cmd credential file is one finding. */
function awsIniCheck(keys: string[], label: string): StructRule['check'] {
  return (text) => {
    const hits: StructHit[] = [];
    for (const e of parseIni(text)) {
      if (!keys.includes(e.key) || e.value.length < 16 || isPlaceholder(e.value) || /EXAMPLE/.test(e.value)) continue;
      const secretKey = /secret|session|token/.test(e.key);
      hits.push({ secret: e.value, publicPrefix: secretKey ? 0 : 4, index: e.index, detail: `${label} ${e.key}`, rank: secretKey ? 1 : 2 });
    }
    return hits;
  };
}

const awsCli: StructRule = {
  id: 'aws-cli-credentials',
  key: 'aws_cli',
  family: 'aws',
  rank: 1,
  fileType: true,
  paths: ['**/.aws/credentials', '**/.aws/config'],
  check: awsIniCheck(['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'aws_security_token'], 'AWS CLI'),
};

const s3cmd: StructRule = {
  id: 'aws-s3cmd-config',
  key: 'aws_s3cmd',
  family: 'aws',
  rank: 1,
  fileType: true,
  paths: ['**/.s3cfg', '**/s3cfg'],
  check: awsIniCheck(['access_key', 'secret_key', 'access_token'], 's3cmd'),
};

const mws: ContentRule = {
  id: 'amazon-mws-token',
  key: 'amazon_mws_token',
  keywords: ['amzn.mws.'],
  pattern: new RegExp(`amzn\\.mws\\.(?<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`),
  before: 0,
  after: 50,
  validate: (s) => ({ masked: `amzn.mws.${s.slice(0, 4)}****` }),
};

/** Public demo keys that Google ships in samples (gitleaks gcp-api-key allowlist idea). */
const GCP_DEMO_KEYS = [
  /^AIzaSyabcdefghijklmnopqrstuvwxyz1234567$/,
  // Keys published in Google and Firebase samples and SDKs (gitleaks gcp-api-key allowlist).
  new RegExp(
    `^AIza(?:${[
      'SyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs',
      'SyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM',
      'SyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU',
      'SyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0',
      'yDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A',
      'SyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c',
      'SyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4',
      'SyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY',
      'SyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM',
      'SyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ',
      'SyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g',
      'SyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU',
      'SyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw',
      'SyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE',
      'SyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY',
      'SyCYL6tLlcLGBxTyJ5tIUjSiy8v5v4EuB8I',
    ].join('|')})$`,
  ),
];

const gcpApiKey: ContentRule = {
  id: 'gcp-api-key',
  key: 'googlecloud_api_key',
  keywords: ['aiza'],
  pattern: /(?<![\w-])(?<secret>AIza[0-9A-Za-z_-]{35})(?![\w-])/,
  before: 1,
  after: 40,
  entropy: 3.8,
  publicPrefix: 4,
  allow: GCP_DEMO_KEYS,
  validate: () => ({ detail: 'API key' }),
};

/** Service-account key JSON: `"type": "service_account"` with a real private key after it. */
const gcpServiceAccount: ContentRule = {
  id: 'gcp-service-account',
  key: 'googlecloud_api_key',
  severity: 'critical',
  fileType: true,
  rank: 10,
  keywords: ['"service_account"'],
  pattern: /"type"\s{0,4}:\s{0,4}"service_account"/,
  secretGroup: 0,
  before: 40,
  after: 1200,
  rejectPlaceholders: false,
  validate: (_s, m) => {
    const rest = m.input.slice(m.index + m[0].length);
    const key = /"private_key"\s{0,4}:\s{0,4}"(-----BEGIN ([A-Z ]{0,30} )?PRIVATE KEY-----)/.exec(rest);
    if (!key || !verifyPemBody((key[2] ?? '').trim(), rest.slice(key.index + key[0].length)).ok) return false;
    const id = /"private_key_id"\s{0,4}:\s{0,4}"([^"]{8,100})"/.exec(rest)?.[1];
    return { masked: id ? `private_key_id ${maskSecret(id)}` : '"type": "service_account"****', detail: 'service-account key JSON' };
  },
};

const googleOauthSecret: ContentRule = {
  id: 'google-oauth-client-secret',
  key: 'google_oauth_key',
  keywords: ['gocspx-'],
  pattern: /(?<![\w-])(?<secret>GOCSPX-[A-Za-z0-9_-]{28})(?![\w-])/,
  before: 1,
  after: 40,
  entropy: 3.0,
  publicPrefix: 7,
};

/** A client secret next to a Google client ID (`…apps.googleusercontent.com`), JSON or code. */
const googleClientSecretJson: ContentRule = {
  id: 'google-oauth-client-json',
  key: 'google_oauth_key',
  rank: 20,
  keywords: ['.apps.googleusercontent.com'],
  pattern: new RegExp(`[0-9]{6,20}-[a-z0-9]{32}\\.apps\\.googleusercontent\\.com["']?[\\s\\S]{0,300}?${ci('client')}[_-]?${ci('secret')}["']?\\s{0,4}[:=]\\s{0,4}["'](?<secret>[A-Za-z0-9_-]{20,40})["']`),
  before: 60,
  after: 400,
  entropy: 3.0,
  validate: () => ({ detail: 'OAuth client secret' }),
};

const googleOauthToken: ContentRule = {
  id: 'google-oauth-access-token',
  key: 'google_oauth_token',
  keywords: ['ya29.'],
  pattern: /(?<![\w.-])(?<secret>ya29\.[0-9A-Za-z_-]{30,1024})(?![\w-])/,
  before: 1,
  after: 1040,
  entropy: 3.5,
  publicPrefix: 5,
};

const googleRefreshToken: ContentRule = {
  id: 'google-oauth-refresh-token',
  key: 'google_oauth_token',
  keywords: ['"refresh_token"', 'refresh_token'],
  pattern: new RegExp(`${ci('refresh_token')}["']?\\s{0,4}[:=]\\s{0,4}["']?(?<secret>1//0[0-9A-Za-z_-]{35,200})`),
  before: 1,
  after: 240,
  entropy: 3.5,
  publicPrefix: 4,
};

const googleAdc: StructRule = {
  id: 'google-adc-authorized-user',
  key: 'google_oauth_token',
  fileType: true,
  paths: ['**/application_default_credentials.json', '**/.config/gcloud/legacy_credentials/**/*.json', '**/gcloud/**/*.json'],
  check(text) {
    const doc = parseJson(text);
    if (!isRecord(doc)) return [];
    if (doc.type === 'authorized_user' && typeof doc.refresh_token === 'string' && !isPlaceholder(doc.refresh_token)) {
      return [{ secret: doc.refresh_token, publicPrefix: 4, index: indexOfJsonValue(text, doc.refresh_token), detail: 'application default credentials (authorized_user)' }];
    }
    if (doc.type === 'service_account' && typeof doc.private_key === 'string' && doc.private_key.includes('PRIVATE KEY')) {
      return [{ key: 'googlecloud_api_key', severity: 'critical', masked: `${String(doc.client_email ?? 'service account').slice(0, 60)} ****`, index: indexOfJsonValue(text, doc.private_key), detail: 'service-account key JSON' }];
    }
    return [];
  },
};

const googleOauthClientFile: StructRule = {
  id: 'google-oauth-client-file',
  key: 'google_oauth_key',
  fileType: true,
  paths: ['**/client_secret*.json', '**/credentials.json', '**/oauth*.json'],
  check(text) {
    const doc = parseJson(text);
    if (!isRecord(doc)) return [];
    for (const kind of ['installed', 'web']) {
      const c = doc[kind];
      if (isRecord(c) && typeof c.client_secret === 'string' && typeof c.client_id === 'string' && !isPlaceholder(c.client_secret)) {
        return [{ secret: c.client_secret, publicPrefix: c.client_secret.startsWith('GOCSPX-') ? 7 : 0, index: indexOfJsonValue(text, c.client_secret), detail: `OAuth client (${kind})` }];
      }
    }
    return [];
  },
};

const gcloudDbs: PathRule = {
  id: 'gcloud-credential-db',
  key: 'google_oauth_token',
  fileType: true,
  paths: ['**/.config/gcloud/credentials.db', '**/.config/gcloud/access_tokens.db'],
  label: 'gcloud credential database',
  binary: true,
};

const tencentSecretId: ContentRule = {
  id: 'tencentcloud-secret-id',
  key: 'tencentcloud_ak',
  family: 'tencentcloud',
  rank: 30,
  keywords: ['akid'],
  pattern: new RegExp(`${B}(?<secret>AKID[A-Za-z0-9]{32})${E}`),
  before: 1,
  after: 40,
  entropy: 3.5,
  publicPrefix: 4,
  allow: [/EXAMPLE/i],
};

const tencentSecretKey: ContentRule = {
  id: 'tencentcloud-secret-key',
  key: 'tencentcloud_ak',
  family: 'tencentcloud',
  rank: 20,
  keywords: ['tencentcloud_secret_key', 'tencentcloud_secretkey', 'tencent_secret_key', 'qcloud_secret_key'],
  pattern: assign(ciAny(['tencentcloud_secret_key', 'tencentcloud_secretkey', 'tencent_secret_key', 'qcloud_secret_key']), '[A-Za-z0-9]{32}(?![A-Za-z0-9])'),
  before: 0,
  after: 90,
  entropy: 3.5,
  inConfig: true,
};

const tencentFiles: StructRule = {
  id: 'tencentcloud-credential-file',
  key: 'tencentcloud_ak',
  family: 'tencentcloud',
  rank: 1,
  fileType: true,
  paths: ['**/.tencentcloud/credentials', '**/.cos.conf'],
  check: iniPairCheck(['secret_key', 'secretkey', 'secret_id', 'secretid'], 'Tencent Cloud'),
};

const tccli: StructRule = {
  id: 'tencentcloud-tccli-credential',
  key: 'tencentcloud_ak',
  family: 'tencentcloud',
  rank: 1,
  fileType: true,
  paths: ['**/.tccli/*.credential'],
  check: jsonKeysCheck(['secretkey', 'secretid'], 'tccli'),
};

const huaweiEnv: ContentRule = {
  id: 'huaweicloud-ak-sk',
  key: 'huaweicloud_ak',
  family: 'huaweicloud',
  rank: 20,
  keywords: ['huaweicloud_sdk_sk', 'huaweicloud_sdk_ak', 'hw_secret_key', 'hw_access_key', 'huaweicloud_secret_key', 'huaweicloud_access_key', 'obs_secret_access_key', 'hwcloud_sdk_sk'],
  pattern: new RegExp(
    `(?:${ciAny(['huaweicloud_sdk_sk', 'hw_secret_key', 'huaweicloud_secret_key', 'obs_secret_access_key', 'hwcloud_sdk_sk'])}["']?\\s{0,4}(?:=>|=|:)\\s{0,4}["']?(?<sk>[A-Za-z0-9]{40})|${ciAny(['huaweicloud_sdk_ak', 'hw_access_key', 'huaweicloud_access_key'])}["']?\\s{0,4}(?:=>|=|:)\\s{0,4}["']?(?<ak>[A-Z0-9]{20}))(?![A-Za-z0-9])`,
  ),
  secretGroup: 0,
  before: 0,
  after: 80,
  inConfig: true,
  validate(_s, m) {
    const v = m.groups?.sk ?? m.groups?.ak ?? '';
    if (isPlaceholder(v) || shannonEntropy(v) < 3.2) return false;
    return { masked: `${v.slice(0, 4)}****`, detail: m.groups?.sk ? 'secret access key (SK)' : 'access key ID (AK)' };
  },
};

const huaweiFiles: StructRule = {
  id: 'huaweicloud-credential-file',
  key: 'huaweicloud_ak',
  family: 'huaweicloud',
  rank: 1,
  fileType: true,
  paths: ['**/.huaweicloud/credentials', '**/.obsutilconfig', '**/.obsconfig'],
  check: iniPairCheck(['sk', 'secret_key', 'secretaccesskey', 'ak', 'access_key', 'accesskeyid'], 'Huawei Cloud', 20),
};

const hcloudConfig: StructRule = {
  id: 'huaweicloud-hcloud-config',
  key: 'huaweicloud_ak',
  family: 'huaweicloud',
  rank: 1,
  fileType: true,
  paths: ['**/.hcloud/config.json'],
  check: jsonKeysCheck(['secretkey', 'sk', 'accesskey', 'ak'], 'KooCLI', 20),
};

/** Console-downloaded `credentials.csv`: Huawei (`Access Key Id,Secret Access Key`) or AWS. */
const credentialsCsv: StructRule = {
  id: 'cloud-credentials-csv',
  key: 'huaweicloud_ak',
  fileType: true,
  paths: ['**/credentials.csv', '**/*accessKeys.csv', '**/*_credentials.csv'],
  maxBytes: 64 * 1024,
  check(text) {
    const lines = text.split(/\r?\n/);
    const header = (lines[0] ?? '').toLowerCase();
    const secretCol = header.split(',').findIndex((h) => /secret access key/.test(h));
    const idCol = header.split(',').findIndex((h) => /access key id/.test(h));
    if (secretCol < 0) return [];
    const hits: StructHit[] = [];
    let offset = (lines[0] ?? '').length + 1;
    for (const line of lines.slice(1)) {
      const cols = line.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
      const secret = cols[secretCol] ?? '';
      const id = cols[idCol] ?? '';
      if (secret.length >= 30 && !isPlaceholder(secret)) {
        const aws = /^(?:AKIA|ASIA)/.test(id);
        hits.push({ key: aws ? 'aws_access_key' : 'huaweicloud_ak', severity: 'critical', secret, index: offset + line.indexOf(secret), detail: aws ? 'AWS console credentials.csv' : 'Huawei Cloud console credentials.csv' });
      }
      offset += line.length + 1;
    }
    return hits;
  },
};

const doToken: ContentRule = {
  id: 'digitalocean-token',
  key: 'digital_ocean_tugboat',
  keywords: ['dop_v1_', 'doo_v1_', 'dor_v1_'],
  pattern: new RegExp(`${B}(?<secret>do[opr]_v1_[a-f0-9]{64})${E}`),
  before: 1,
  after: 72,
  entropy: 3.0,
  publicPrefix: 7,
};

const tugboat: StructRule = {
  id: 'digitalocean-tugboat-doctl',
  key: 'digital_ocean_tugboat',
  fileType: true,
  rank: 1,
  paths: ['**/.tugboat', '**/.config/doctl/config.yaml', '**/doctl/config.yaml'],
  check(text) {
    const hits: StructHit[] = [];
    const re = /^\s*(?:access[-_]token|client_key|api_key)\s*:\s*["']?([A-Za-z0-9_]{20,100})["']?\s*$/gm;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const v = m[1] ?? '';
      if (!isPlaceholder(v)) hits.push({ secret: v, publicPrefix: /^do[opr]_v1_/.test(v) ? 7 : 0, index: m.index + m[0].indexOf(v) });
    }
    return hits;
  },
};

const herokuV2: ContentRule = {
  id: 'heroku-api-key-v2',
  key: 'heroku_api_key',
  keywords: ['hrku-aa'],
  pattern: new RegExp(`${B}(?<secret>HRKU-AA[0-9a-zA-Z_-]{58})(?![\\w-])`),
  before: 1,
  after: 70,
  entropy: 3.0,
  publicPrefix: 7,
};

const herokuLegacy: ContentRule = {
  id: 'heroku-api-key',
  key: 'heroku_api_key',
  keywords: ['heroku'],
  pattern: assign(ci('heroku'), `${UUID}(?![0-9a-fA-F-])`),
  before: 0,
  after: 100,
  inConfig: true,
};

const databricksToken: ContentRule = {
  id: 'databricks-token',
  key: 'databricks_token',
  keywords: ['dapi'],
  pattern: /(?<![A-Za-z0-9_])(?<secret>dapi[a-fA-F0-9]{32}(?:-\d)?)(?![A-Za-z0-9_])/,
  before: 1,
  after: 40,
  entropy: 3.0,
  publicPrefix: 4,
};

const databricksCfg: StructRule = {
  id: 'databricks-cfg',
  key: 'databricks_token',
  fileType: true,
  rank: 1,
  paths: ['**/.databrickscfg'],
  check: iniPairCheck(['token', 'password', 'client_secret'], '.databrickscfg', 8),
};

export const cloudContentRules: ContentRule[] = [
  awsKeyId,
  awsSecret,
  awsSession,
  mws,
  gcpApiKey,
  gcpServiceAccount,
  googleOauthSecret,
  googleClientSecretJson,
  googleOauthToken,
  googleRefreshToken,
  tencentSecretId,
  tencentSecretKey,
  huaweiEnv,
  doToken,
  herokuV2,
  herokuLegacy,
  databricksToken,
];
export const cloudStructRules: StructRule[] = [awsCli, s3cmd, googleAdc, googleOauthClientFile, tencentFiles, tccli, huaweiFiles, hcloudConfig, credentialsCsv, tugboat, databricksCfg];
export const cloudPathRules: PathRule[] = [gcloudDbs];
