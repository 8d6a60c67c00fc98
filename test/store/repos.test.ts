import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/analysis/inventory.js';
import { loadInventory, replaceVulnFindings, saveAnalysis } from '../../src/store/analysis-repo.js';
import { sensitiveFingerprint } from '../../src/store/fingerprints.js';
import { recordSightings, setScanStatus, upsertImage } from '../../src/store/images-repo.js';
import type { Store } from '../../src/store/open-store.js';
import { createToken, ensureProject, revokeToken, verifyToken } from '../../src/store/projects-repo.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { backends } from '../helpers/stores.js';

const L1 = { digest: 'sha256:' + 'a'.repeat(64), diffId: 'sha256:' + 'b'.repeat(64), size: 100, createdBy: 'ADD rootfs /' };
const L2 = { digest: 'sha256:' + 'c'.repeat(64), diffId: 'sha256:' + 'd'.repeat(64), size: 50 };

function inventory(digest: string): Inventory {
  return {
    artifact: { ref: 'reg/app:1', type: 'registry', digest, configDigest: 'sha256:' + 'e'.repeat(64), size: 150, layers: [L1, L2], platform: 'linux/amd64' },
    os: { family: 'debian', name: 'Debian GNU/Linux', version: '10' },
    packages: [
      { type: 'deb', name: 'openssl', version: '1.1.1d-0+deb10u3', arch: 'amd64', source: 'openssl', layerDiffId: L1.diffId, path: 'var/lib/dpkg/status', purl: 'pkg:deb/debian/openssl@1.1.1d-0%2Bdeb10u3?arch=amd64' },
      { type: 'deb', name: 'libssl1.1', version: '1.1.1d-0+deb10u3', arch: 'amd64', source: 'openssl', layerDiffId: L1.diffId, path: 'var/lib/dpkg/status', purl: 'pkg:deb/debian/libssl1.1@1.1.1d-0%2Bdeb10u3?arch=amd64' },
    ],
    files: {},
    symlinks: {},
    specialModes: [],
    sensitive: [],
    config: {},
    history: [],
    warnings: [],
  };
}

const SECRET = { key: 'id_rsa', name: 'SSH private key', severity: 'high' as const, path: 'root/.ssh/id_rsa', layerDigest: L2.digest, md5: 'f'.repeat(32), masked: '-----BEGIN OPENSSH PRIVATE KEY-----b3Bl****', description: 'd', advice: 'a', line: 1 };
const VULN = { id: 'CVE-2021-3711', aliases: ['DSA-4963-1'], packageName: 'openssl', packageType: 'deb' as const, installedVersion: '1.1.1d-0+deb10u3', fixedVersion: '1.1.1d-0+deb10u7', severity: 'critical' as const, source: 'debian', layerDiffId: L1.diffId };

describe.each(backends)('repositories on $name', (backend) => {
  let handle: Awaited<ReturnType<typeof backend.create>>;
  let store: Store;
  beforeAll(async () => {
    handle = await backend.create();
    store = handle.store;
    await ensureProject(store, 'proj-a');
    await ensureProject(store, 'proj-b');
  });
  afterAll(async () => handle?.dispose());

  it('saves an analysis by digest and replaces it whole on a rescan', async () => {
    const digest = 'sha256:' + '1'.repeat(64);
    await saveAnalysis(store, { inventory: inventory(digest), findings: { vulnerabilities: [VULN, VULN], sensitive: [SECRET, { ...SECRET, layerDigest: L1.digest }], baseline: [], buildRisks: [{ ruleId: 'B001', name: 'root', severity: 'medium', buildInstruction: '--', remediation: 'USER app' }] } });
    expect((await loadInventory(store, digest))?.packages.map((p) => p.name)).toEqual(['openssl', 'libssl1.1']);
    const pk = await store.db.selectFrom('manifest_packages').select(['name', 'source']).where('manifest_digest', '=', digest).orderBy('ordinal').execute();
    expect(pk).toEqual([{ name: 'openssl', source: 'openssl' }, { name: 'libssl1.1', source: 'openssl' }]);
    // Duplicates collapse: one vulnerability row, one sensitive row per fingerprint.
    expect(await store.db.selectFrom('vuln_findings').select('vuln_id').where('manifest_digest', '=', digest).execute()).toHaveLength(1);
    const sens = await store.db.selectFrom('sensitive_findings').selectAll().where('manifest_digest', '=', digest).execute();
    expect(sens).toHaveLength(1);
    expect(sens[0]!.fingerprint).toBe(sensitiveFingerprint(SECRET));
    expect(sens[0]!.layer_diff_id).toBe(L2.diffId);

    await saveAnalysis(store, { inventory: inventory(digest), findings: { vulnerabilities: [], sensitive: [], baseline: [], buildRisks: [] } });
    expect(await store.db.selectFrom('sensitive_findings').select('key').where('manifest_digest', '=', digest).execute()).toHaveLength(0);
    expect(await store.db.selectFrom('manifest_layers').select('position').where('manifest_digest', '=', digest).execute()).toHaveLength(2);
  });

  it('re-matches vulnerabilities of one manifest without touching its other findings', async () => {
    const digest = 'sha256:' + '2'.repeat(64);
    await saveAnalysis(store, { inventory: inventory(digest), findings: { vulnerabilities: [VULN], sensitive: [SECRET], baseline: [], buildRisks: [] } });
    await replaceVulnFindings(store, digest, [{ ...VULN, id: 'CVE-2022-0778' }]);
    const v = await store.db.selectFrom('vuln_findings').select('vuln_id').where('manifest_digest', '=', digest).execute();
    expect(v.map((r) => r.vuln_id)).toEqual(['CVE-2022-0778']);
    expect(await store.db.selectFrom('sensitive_findings').select('key').where('manifest_digest', '=', digest).execute()).toHaveLength(1);
  });

  it('keeps one image reference per identity, and first-seen across rescans', async () => {
    const ref = { projectId: 'proj-a', imageType: 'cicd' as const, imageName: 'app', imageVersion: '1.0', reference: 'reg/app:1.0' };
    const [a, b] = await Promise.all([upsertImage(store, ref, 1000), upsertImage(store, ref, 1000)]);
    expect(a).toBe(b);
    const other = await upsertImage(store, { ...ref, projectId: 'proj-b' });
    expect(other).not.toBe(a);
    await setScanStatus(store, a, { status: 'success', digest: 'sha256:' + '1'.repeat(64), size: 150, scannedAt: 2000 });
    await recordSightings(store, a, 'sensitive', ['fp1', 'fp1'], 2000);
    await recordSightings(store, a, 'sensitive', ['fp1'], 3000);
    const s = await store.db.selectFrom('finding_sightings').selectAll().where('image_id', '=', a).execute();
    expect(s).toEqual([{ image_id: a, kind: 'sensitive', fingerprint: 'fp1', first_seen: 2000, last_seen: 3000 }]);
    const img = await store.db.selectFrom('images').selectAll().where('id', '=', a).executeTakeFirstOrThrow();
    expect(img).toMatchObject({ scan_status: 'success', latest_scan_time: 2000, size: 150, failed_code: null });
  });

  it('stores tokens hashed; expired and revoked tokens are refused', async () => {
    const { id, token } = await createToken(store, { projectId: 'proj-a', enterpriseProjects: ['ep1'] }, 1000);
    const rows = await store.db.selectFrom('api_tokens').select('token_hash').execute();
    expect(rows.some((r) => r.token_hash.includes(token) || token.includes(r.token_hash))).toBe(false);
    expect(await verifyToken(store, token, 2000)).toEqual({ projectId: 'proj-a', enterpriseProjects: ['ep1'], tokenId: id });
    expect(await verifyToken(store, token + 'x', 2000)).toBeUndefined();
    const expiring = await createToken(store, { projectId: 'proj-b', expiresAt: 5000 }, 1000);
    expect(await verifyToken(store, expiring.token, 4999)).toBeDefined();
    expect(await verifyToken(store, expiring.token, 5000)).toBeUndefined();
    expect(await revokeToken(store, id)).toBe(true);
    expect(await verifyToken(store, token)).toBeUndefined();
    await expect(createToken(store, { projectId: 'nope' })).rejects.toThrow(/project "nope" does not exist/);
  });
});

describe('secret box', () => {
  it('round-trips, detects tampering, and creates its key file once with mode 0600', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tarsier-key-'));
    const [a, b] = await Promise.all([SecretBox.load(dir, {}), SecretBox.load(dir, {})]);
    const sealed = a.seal('registry-password');
    expect(sealed).not.toContain('registry-password');
    expect(b.open(sealed)).toBe('registry-password');
    expect((await stat(join(dir, 'secret.key'))).mode & 0o777).toBe(0o600);
    const parts = sealed.split(':');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => a.open(parts.join(':'))).toThrow(/cannot be decrypted/);
    const envBox = await SecretBox.load(dir, { TARSIER_SECRET_KEY: 'ab'.repeat(32) });
    expect(() => envBox.open(sealed)).toThrow(/secret key changed/);
    expect((await readFile(join(dir, 'secret.key'), 'utf8')).length).toBeGreaterThan(40);
    await rm(dir, { recursive: true, force: true });
  });
});
