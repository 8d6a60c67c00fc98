/**
 * One seeded store for the HSS translator tests, written through the repositories: three
 * manifests (two registry tags sharing a secret and a vulnerability, one CI/CD upload) referenced
 * by images of proj-a (default enterprise project and `ep-2`) and of proj-b, which shares a
 * manifest with proj-a but must never see proj-a's images.
 */
import type { Inventory } from '../../src/analysis/inventory.js';
import { HSS_MODULES } from '../../src/api/hss/index.js';
import { saveAnalysis, type AnalysisToSave } from '../../src/store/analysis-repo.js';
import { sensitiveFingerprint } from '../../src/store/fingerprints.js';
import { recordSightings, setScanStatus, upsertImage } from '../../src/store/images-repo.js';
import { createToken, ensureProject } from '../../src/store/projects-repo.js';
import { createRegistry } from '../../src/store/registries-repo.js';
import type { ReportSensitive } from '../../src/report/model.js';
import { apiFixture, type ApiFixture } from '../helpers/api-foundation.js';

const sha = (c: string) => `sha256:${c.repeat(64)}`;
export const L1 = { digest: sha('1'), diffId: sha('a'), size: 3000, createdBy: 'ADD rootfs.tar.xz /' };
export const L2 = { digest: sha('2'), diffId: sha('b'), size: 700, createdBy: 'COPY . /srv/app' };
export const D1 = sha('d');
export const D2 = sha('e');
export const D3_REAL = sha('f');
export const D3_KEY = `cicd/proj-a/${D3_REAL}`;
export const T1 = 1_700_000_000_000;
export const T2 = 1_700_000_100_000;
export const T3 = 1_700_000_200_000;
export const T4 = 1_700_000_300_000;

function inventory(digest: string): Inventory {
  return {
    artifact: { ref: 'r/app:1', type: 'registry', digest, configDigest: sha('c'), size: 3700, layers: [L1, L2], platform: 'linux/amd64' },
    os: { family: 'debian', name: 'Debian GNU/Linux', version: '10' },
    packages: [],
    files: {},
    symlinks: {},
    specialModes: [],
    sensitive: [],
    config: {},
    history: [],
    warnings: [],
  };
}

const secret = (key: string, severity: ReportSensitive['severity'], path: string, layer: typeof L1, md5: string, masked: string): ReportSensitive => ({
  key,
  name: key,
  severity,
  path,
  layerDigest: layer.digest,
  md5: md5.repeat(32),
  masked,
  description: 'd',
  advice: 'a',
});

export const SSH_KEY = secret('ssh_private_key', 'high', 'root/.ssh/id_rsa', L1, '1', '-----BEGIN OPENSSH PRIVATE KEY-----b3Bl****');
export const AWS_KEY = secret('aws_access_key', 'critical', 'srv/app/.env', L2, '2', 'AKIAIOSF****');
export const DB_PASS = secret('common_cred', 'medium', 'usr/local/share/app/db.ini', L2, '3', 'p****');
export const NPM_TOKEN = secret('npm_token', 'critical', 'app/.npmrc', L2, '4', 'npm_ab****');

export const fp = (s: ReportSensitive) => sensitiveFingerprint(s);

const OPENSSL = {
  id: 'CVE-2021-3711',
  aliases: ['DSA-4963-1'],
  packageName: 'openssl',
  packageType: 'deb' as const,
  installedVersion: '1.1.1d-0+deb10u3',
  fixedVersion: '1.1.1d-0+deb10u7',
  severity: 'critical' as const,
  title: 'SM2 decryption buffer overflow',
  source: 'debian',
  layerDiffId: L1.diffId,
};
const LODASH = {
  id: 'GHSA-35jh-r3h4-6jhm',
  aliases: ['CVE-2021-23337'],
  packageName: 'lodash',
  packageType: 'npm' as const,
  installedVersion: '4.17.20',
  fixedVersion: '4.17.21',
  severity: 'high' as const,
  title: 'Command Injection in lodash',
  source: 'ghsa',
  layerDiffId: L2.diffId,
};
const ZLIB = { ...OPENSSL, id: 'CVE-2018-25032', aliases: [], packageName: 'zlib1g', installedVersion: '1:1.2.11.dfsg-1', fixedVersion: null, severity: 'low' as const, title: 'zlib memory corruption on deflate' };

const BASELINE_SYSTEM = {
  checkName: 'Debian 10',
  checkType: 'system',
  standard: 'cn_standard',
  checkTypeDesc: 'System configuration of Debian 10 images',
  checkRuleNum: 2,
  failedRuleNum: 1,
  severity: 'medium',
  rules: [
    {
      id: 'SYS-01',
      title: 'Password maximum age',
      severity: 'medium',
      status: 'failed' as const,
      evidence: [{ file: '/etc/login.defs', line: 25, currentValue: 'PASS_MAX_DAYS 99999', suggestedValue: 'PASS_MAX_DAYS 90' }],
    },
    { id: 'SYS-02', title: 'Password minimum age', severity: 'low', status: 'passed' as const },
  ],
};
const BASELINE_SSH = {
  checkName: 'Debian 10',
  checkType: 'ssh',
  standard: 'hw_standard',
  checkTypeDesc: 'OpenSSH server configuration of Debian 10 images',
  checkRuleNum: 1,
  failedRuleNum: 0,
  severity: 'security',
  rules: [{ id: 'SSH-01', title: 'SSH protocol version', severity: 'high', status: 'passed' as const }],
};

export const ROOT_REMEDIATION = 'Add the following line to the Dockerfile: USER <non root username>';

export function analysis(digest: string, f: Partial<AnalysisToSave['findings']>): AnalysisToSave {
  return { inventory: inventory(digest), findings: { vulnerabilities: [], sensitive: [], baseline: [], buildRisks: [], ...f } };
}

export interface HssWorld {
  fx: ApiFixture;
  tokens: { a: string; a0: string; b: string };
  registries: { r1: string; r2: string };
  img: { a1: string; a2: string; a3: string; a4: string; e1: string; b1: string };
}

export async function hssWorld(): Promise<HssWorld> {
  const fx = await apiFixture({ modules: HSS_MODULES });
  const s = fx.store;
  const box = fx.services.box;
  await ensureProject(s, 'proj-a');
  await ensureProject(s, 'proj-b');
  const tokens = {
    a: (await createToken(s, { projectId: 'proj-a' })).token,
    a0: (await createToken(s, { projectId: 'proj-a', enterpriseProjects: ['0'] })).token,
    b: (await createToken(s, { projectId: 'proj-b' })).token,
  };
  await saveAnalysis(
    s,
    analysis(D1, {
      sensitive: [SSH_KEY, AWS_KEY, DB_PASS],
      vulnerabilities: [OPENSSL, LODASH, ZLIB],
      baseline: [BASELINE_SYSTEM, BASELINE_SSH],
      buildRisks: [
        { ruleId: 'BCR-001', name: 'Image runs as root', severity: 'high', buildInstruction: '--', remediation: ROOT_REMEDIATION },
        { ruleId: 'BCR-002', name: 'Non-numeric final USER', severity: 'low', buildInstruction: 'USER app', remediation: 'Use the numeric UID.' },
      ],
    }),
    T1,
  );
  await saveAnalysis(
    s,
    analysis(D2, {
      sensitive: [SSH_KEY],
      vulnerabilities: [OPENSSL],
      baseline: [{ ...BASELINE_SYSTEM, failedRuleNum: 0, severity: 'security', rules: BASELINE_SYSTEM.rules.map((r) => ({ ...r, status: 'passed' as const, evidence: undefined })) }],
      buildRisks: [{ ruleId: 'BCR-001', name: 'Image runs as root', severity: 'high', buildInstruction: '--', remediation: ROOT_REMEDIATION }],
    }),
    T2,
  );
  await saveAnalysis(
    s,
    analysis(D3_KEY, {
      sensitive: [NPM_TOKEN],
      vulnerabilities: [OPENSSL],
      buildRisks: [{ ruleId: 'BCR-001', name: 'Image runs as root', severity: 'high', buildInstruction: '--', remediation: ROOT_REMEDIATION }],
    }),
    T3,
  );

  const registries = {
    r1: await createRegistry(s, box, { projectId: 'proj-a', name: 'harbor-1', type: 'Harbor', protocol: 'https', addr: 'harbor.example.com', username: 'robot$scan', password: 'S3cret-pass' }),
    r2: await createRegistry(s, box, { projectId: 'proj-a', enterpriseProjectId: 'ep-2', name: 'harbor-2', type: 'Harbor', protocol: 'http', addr: 'harbor2.example.com:8080' }),
  };
  const scanned = async (id: string, digest: string, size: number, at: number) => {
    await setScanStatus(s, id, { status: 'success', digest, size, scannedAt: at });
    const rows = await s.db.selectFrom('sensitive_findings').select(['key', 'path', 'md5']).where('manifest_digest', '=', digest).execute();
    await recordSightings(s, id, 'sensitive', rows.map((r) => sensitiveFingerprint(r)), at);
  };
  const ref = (projectId: string, registryId: string | null, imageType: 'harbor' | 'cicd', namespace: string, imageName: string, imageVersion: string, ep = '0') =>
    upsertImage(s, { projectId, enterpriseProjectId: ep, registryId, imageType, namespace, imageName, imageVersion, reference: `r/${namespace}/${imageName}:${imageVersion}` }, T1);
  const img = {
    a1: await ref('proj-a', registries.r1, 'harbor', 'library', 'web', '1.0'),
    a2: await ref('proj-a', registries.r1, 'harbor', 'library', 'web', '2.0'),
    a3: await ref('proj-a', null, 'cicd', '', 'ci-app', '7'),
    a4: await ref('proj-a', registries.r1, 'harbor', 'library', 'unscanned', '1'),
    e1: await ref('proj-a', registries.r2, 'harbor', 'team', 'web', '1.0', 'ep-2'),
    b1: await ref('proj-b', null, 'harbor', 'library', 'web', '1.0'),
  };
  await scanned(img.a1, D1, 1000, T1);
  await scanned(img.a2, D2, 2000, T2);
  await scanned(img.a3, D3_KEY, 3000, T3);
  await scanned(img.e1, D1, 1000, T4);
  await scanned(img.b1, D1, 1000, T4);
  return { fx, tokens, registries, img };
}

/** `fetch`-like helper over inject. */
export function client(w: HssWorld) {
  return async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, opts: { token?: string | null; body?: unknown } = {}) => {
    const token = opts.token === undefined ? w.tokens.a : opts.token;
    const res = await w.fx.app.inject({
      method,
      url,
      headers: token === null ? {} : { 'x-auth-token': token },
      ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
    });
    return { status: res.statusCode, body: res.body === '' ? undefined : (res.json() as Record<string, unknown> & { total_num?: number; data_list?: Array<Record<string, unknown>> }), headers: res.headers };
  };
}
