/**
 * Signature lookup for BCR-021 against Debian's real docker-registry (distribution 2.8: no
 * referrers API, so the referrers tag schema and the cosign `.sig` tag are what it can hold), a
 * proxy in front of it that answers the OCI 1.1 referrers API, and OCI layouts; then the scan
 * pipeline: unsigned registry images get BCR-021, signed ones and archives do not.
 */
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/analysis/analyze-image.js';
import { writeDockerArchive, writeOciLayout, type WrittenImage } from '../../src/image/build/image-writer.js';
import { openImage } from '../../src/image/open-image.js';
import type { ImageSource } from '../../src/image/types.js';
import { MEDIA_TYPES } from '../../src/image/types.js';
import { scanSource } from '../../src/scan/pipeline.js';
import { debianAppSpec, platformImageSpec, writeMultiPlatformLayout, type WrittenIndex } from '../helpers/build-test-images.js';
import { pushImage, type RunningRegistry, startHttpServer, startRegistry, type HttpTestServer } from '../helpers/registry-server.js';
import { addToLayout, cosignSignature, notationSignature, pushArtifact, putManifest, referrersIndex, sigstoreBundle } from '../helpers/signature-artifacts.js';

let registry: RunningRegistry;
let work: string;
let app: WrittenImage;
let multi: WrittenIndex;

const SIGN = 'https://sigstore.dev/cosign/sign/v1';
const SLSA = 'https://slsa.dev/provenance/v1';

function subjectOf(img: WrittenImage): { digest: string; size: number; mediaType: string } {
  return { digest: img.manifestDigest, size: img.manifest.length, mediaType: MEDIA_TYPES.ociManifest };
}

function open(ref: string, host = registry.host): Promise<ImageSource> {
  return openImage(`${host}/${ref}`, { insecure: true, username: registry.username, password: registry.password, maxImageBytes: DEFAULT_LIMITS.maxImageBytes, retries: 0 });
}

async function lookup(ref: string, host?: string): Promise<{ signed: boolean | undefined; details: string[] }> {
  const source = await open(ref, host);
  try {
    return await (source.signatures as NonNullable<ImageSource['signatures']>).call(source);
  } finally {
    await source.close();
  }
}

async function buildRisksOf(source: ImageSource): Promise<{ ids: string[]; bcr021: unknown; warnings: string[] }> {
  const warnings: string[] = [];
  try {
    const { findings } = await scanSource(source, { cache: null, limits: DEFAULT_LIMITS, platform: 'linux/amd64', detect: { ignoreUnfixed: false }, onWarning: (m) => warnings.push(m) });
    return { ids: findings.buildRisks.map((r) => r.ruleId), bcr021: findings.buildRisks.find((r) => r.ruleId === 'BCR-021'), warnings };
  } finally {
    await source.close();
  }
}

/** A registry front that answers the referrers API itself (`answer`) and forwards the rest. */
async function referrersFront(answer: (digest: string) => { status: number; body: string }): Promise<HttpTestServer> {
  return startHttpServer((req, res) => {
    const m = /^\/v2\/.+\/referrers\/(sha256:[a-f0-9]{64})/.exec(req.url ?? '');
    if (m) {
      const { status, body } = answer(m[1] as string);
      res.writeHead(status, { 'content-type': MEDIA_TYPES.ociIndex }).end(body);
      return;
    }
    const forward = httpRequest(`http://${registry.host}${req.url ?? '/'}`, { method: req.method, headers: { ...req.headers, host: registry.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tarsier-baseline-signatures-'));
  const noDockerConfig = join(work, 'no-docker-config');
  await mkdir(noDockerConfig);
  vi.stubEnv('DOCKER_CONFIG', noDockerConfig);
  registry = await startRegistry();
  app = await writeOciLayout(debianAppSpec(), join(work, 'app'), '1.0');
  multi = await writeMultiPlatformLayout(join(work, 'multi'), 'v1', [
    { platform: { os: 'linux', architecture: 'amd64' }, spec: platformImageSpec({ os: 'linux', architecture: 'amd64' }, 'ID=debian\nVERSION_ID="12"\n') },
    { platform: { os: 'linux', architecture: 'arm64' }, spec: platformImageSpec({ os: 'linux', architecture: 'arm64' }, 'ID=alpine\nVERSION_ID=3.18.0\n') },
  ]);
  for (const repo of ['sig/plain', 'sig/cosign', 'sig/notation', 'sig/bundle', 'sig/attested', 'sig/unannotated']) {
    await pushImage(registry, { dir: join(work, 'app'), tag: '1.0' }, `${repo}:1.0`);
  }
  await pushImage(registry, { dir: join(work, 'multi'), tag: 'v1' }, 'sig/multi:v1', { all: true });

  const tag = app.manifestDigest.replace(':', '-');
  // cosign before OCI 1.1: the signature image under `sha256-<hex>.sig`.
  await pushArtifact(registry, 'sig/cosign', cosignSignature(app.manifestDigest, `${registry.host}/sig/cosign`), `${tag}.sig`);
  // Notation on a registry without the referrers API: the referrer by digest, listed in the `sha256-<hex>` tag.
  const notation = notationSignature(subjectOf(app));
  await pushArtifact(registry, 'sig/notation', notation);
  await putManifest(registry, 'sig/notation', tag, referrersIndex([notation]), MEDIA_TYPES.ociIndex);
  // cosign v3: a Sigstore bundle whose predicate is an image signature.
  const bundle = sigstoreBundle(subjectOf(app), SIGN);
  await pushArtifact(registry, 'sig/bundle', bundle);
  await putManifest(registry, 'sig/bundle', tag, referrersIndex([bundle]), MEDIA_TYPES.ociIndex);
  // Only attestations: a provenance bundle referrer and a cosign `.att` tag are not signatures.
  const provenance = sigstoreBundle(subjectOf(app), SLSA);
  await pushArtifact(registry, 'sig/attested', provenance);
  await putManifest(registry, 'sig/attested', tag, referrersIndex([provenance]), MEDIA_TYPES.ociIndex);
  await pushArtifact(registry, 'sig/attested', cosignSignature(app.manifestDigest, 'attestation-stand-in'), `${tag}.att`);
  // A bundle listed without annotations: the manifest must be read to tell what it is.
  const quiet = sigstoreBundle(subjectOf(app), SIGN, false);
  await pushArtifact(registry, 'sig/unannotated', quiet);
  await putManifest(registry, 'sig/unannotated', tag, referrersIndex([quiet]), MEDIA_TYPES.ociIndex);
  // `cosign sign` of a multi-platform tag signs the index.
  await pushArtifact(registry, 'sig/multi', cosignSignature(multi.indexDigest, `${registry.host}/sig/multi`), `${multi.indexDigest.replace(':', '-')}.sig`);
}, 120_000);

afterAll(async () => {
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

describe('registry signature lookup (docker-registry 2.8, no referrers API)', () => {
  it('finds none on an unsigned image and says where it looked', async () => {
    const r = await lookup('sig/plain:1.0');
    const tag = app.manifestDigest.replace(':', '-');
    expect(r.signed).toBe(false);
    expect(r.details).toEqual([`no signature in referrers tag ${tag}`, `no signature in cosign tag ${tag}.sig`]);
  });

  it('finds a cosign signature under the .sig tag', async () => {
    const r = await lookup('sig/cosign:1.0');
    expect(r).toEqual({ signed: true, details: [`cosign signature (tag ${app.manifestDigest.replace(':', '-')}.sig)`] });
  });

  it('finds Notation and cosign-bundle signatures through the referrers tag schema', async () => {
    const notation = await lookup('sig/notation:1.0');
    expect(notation.signed).toBe(true);
    expect(notation.details[0]).toMatch(/^notation signature sha256:[a-f0-9]{64} \(referrers tag sha256-/);
    const bundle = await lookup('sig/bundle:1.0');
    expect(bundle.signed).toBe(true);
    expect(bundle.details[0]).toMatch(/^sigstore-bundle signature /);
  });

  it('reads an unannotated bundle manifest to tell a signature from an attestation', async () => {
    expect((await lookup('sig/unannotated:1.0')).signed).toBe(true);
  });

  it('does not count attestations (provenance bundle, .att tag) as signatures', async () => {
    expect((await lookup('sig/attested:1.0')).signed).toBe(false);
  });

  it('finds a signature of the index a multi-platform tag names', async () => {
    const r = await lookup('sig/multi:v1');
    expect(r.signed).toBe(true);
    expect(r.details).toEqual([`cosign signature (tag ${multi.indexDigest.replace(':', '-')}.sig)`]);
  });

  it('is unsigned in one repository and signed in another for the same digest', async () => {
    expect((await lookup('sig/plain:1.0')).signed).toBe(false);
    expect((await lookup(`sig/cosign@${app.manifestDigest}`)).signed).toBe(true);
  });
});

describe('registry with the OCI 1.1 referrers API', () => {
  it('uses the API answer (and not the tag schema) when the registry has one', async () => {
    const notation = notationSignature(subjectOf(app));
    const front = await referrersFront((digest) => ({ status: 200, body: digest === app.manifestDigest ? referrersIndex([notation]).toString() : referrersIndex([]).toString() }));
    try {
      const r = await lookup('sig/plain:1.0', front.host);
      expect(r.signed).toBe(true);
      expect(r.details[0]).toBe(`notation signature ${notation.digest} (referrers API of ${app.manifestDigest})`);
      // An empty referrers list from the API is an authoritative "none" (the .sig tag is still checked).
      const emptyFront = await referrersFront(() => ({ status: 200, body: referrersIndex([]).toString() }));
      try {
        expect(await lookup('sig/plain:1.0', emptyFront.host)).toEqual({
          signed: false,
          details: [`no signature in referrers API of ${app.manifestDigest}`, `no signature in cosign tag ${app.manifestDigest.replace(':', '-')}.sig`],
        });
      } finally {
        await emptyFront.stop();
      }
    } finally {
      await front.stop();
    }
  });

  it('skips entries of the referrers list that are not descriptors and still finds the signature', async () => {
    const notation = notationSignature(subjectOf(app));
    const index = JSON.parse(referrersIndex([notation]).toString()) as { manifests: unknown[] };
    index.manifests.unshift(null, 42, { mediaType: MEDIA_TYPES.ociManifest, artifactType: 'application/vnd.cncf.notary.signature' });
    const front = await referrersFront(() => ({ status: 200, body: JSON.stringify(index) }));
    try {
      const r = await lookup('sig/plain:1.0', front.host);
      expect(r.signed).toBe(true);
      expect(r.details).toEqual([`notation signature ${notation.digest} (referrers API of ${app.manifestDigest})`]);
    } finally {
      await front.stop();
    }
  });

  it('a refused or broken lookup is "cannot tell", never "unsigned"', async () => {
    for (const answer of [{ status: 403, body: '{"errors":[{"code":"DENIED"}]}' }, { status: 500, body: 'boom' }]) {
      const front = await referrersFront(() => answer);
      try {
        const r = await lookup('sig/plain:1.0', front.host);
        expect(r.signed).toBeUndefined();
        expect(r.details[0]).toMatch(/^signature lookup failed: registry 127\.0\.0\.1:\d+: (access denied|server error 500)/);
      } finally {
        await front.stop();
      }
    }
  });

  it('a referrers endpoint answering 400 falls back to the tag schema', async () => {
    const front = await referrersFront(() => ({ status: 400, body: 'not supported' }));
    try {
      expect((await lookup('sig/notation:1.0', front.host)).signed).toBe(true);
    } finally {
      await front.stop();
    }
  });
});

describe('OCI layout signature lookup', () => {
  async function layoutLookup(dir: string): Promise<{ signed: boolean | undefined; details: string[] }> {
    const source = await openImage(`oci:${dir}:1.0`, { maxImageBytes: DEFAULT_LIMITS.maxImageBytes });
    try {
      return await (source.signatures as NonNullable<ImageSource['signatures']>).call(source);
    } finally {
      await source.close();
    }
  }

  it('a layout without signatures cannot tell', async () => {
    const r = await layoutLookup(join(work, 'app'));
    expect(r.signed).toBeUndefined();
    expect(r.details[0]).toContain('"unsigned" is not claimed');
  });

  it('finds a referrer listed in index.json, and a cosign signature image saved with it', async () => {
    const withReferrer = join(work, 'app-notation');
    await cp(join(work, 'app'), withReferrer, { recursive: true });
    const notation = notationSignature(subjectOf(app));
    await addToLayout(withReferrer, notation);
    expect(await layoutLookup(withReferrer)).toEqual({ signed: true, details: [`notation signature ${notation.digest} (referrer in the layout)`] });

    const saved = join(work, 'app-cosign-save');
    await cp(join(work, 'app'), saved, { recursive: true });
    const cosign = cosignSignature(app.manifestDigest, 'example/app');
    await addToLayout(saved, cosign, { kind: 'dev.cosignproject.cosign/sigs' });
    expect((await layoutLookup(saved)).details).toEqual([`cosign signature ${cosign.digest} (cosign save in the layout)`]);
  });

  it('ignores a referrer of another image and a cosign payload naming another digest', async () => {
    const other = join(work, 'app-other');
    await cp(join(work, 'app'), other, { recursive: true });
    const foreign = `sha256:${'ab'.repeat(32)}`;
    await addToLayout(other, notationSignature({ digest: foreign, size: 10, mediaType: MEDIA_TYPES.ociManifest }));
    await addToLayout(other, cosignSignature(foreign, 'example/other'), { 'org.opencontainers.image.ref.name': `${app.manifestDigest.replace(':', '-')}.sig` });
    expect((await layoutLookup(other)).signed).toBeUndefined();
  });
});

describe('BCR-021 in the scan pipeline', () => {
  it('reports an unsigned registry image, config-level, with what was checked', async () => {
    const r = await buildRisksOf(await open('sig/plain:1.0'));
    expect(r.bcr021).toEqual({
      ruleId: 'BCR-021',
      name: 'Image not signed / content trust not used',
      severity: 'low',
      buildInstruction: '--',
      remediation: 'Sign images in CI (cosign/Notation) and enforce verification at admission.',
    });
    expect(r.warnings.filter((w) => w.includes('signature'))).toEqual([]);
  });

  it('does not report a signed registry image', async () => {
    expect((await buildRisksOf(await open('sig/cosign:1.0'))).ids).not.toContain('BCR-021');
  });

  it('does not claim an OCI layout or a docker archive unsigned', async () => {
    expect((await buildRisksOf(await openImage(`oci:${join(work, 'app')}:1.0`, { maxImageBytes: DEFAULT_LIMITS.maxImageBytes }))).ids).not.toContain('BCR-021');
    const archive = join(work, 'app.docker.tar');
    await writeDockerArchive(debianAppSpec(), archive);
    const docker = await buildRisksOf(await openImage(`docker-archive:${archive}`, { maxImageBytes: DEFAULT_LIMITS.maxImageBytes }));
    expect(docker.ids).not.toContain('BCR-021');
    expect(docker.ids.length).toBeGreaterThan(0);
  });

  it('a registry that refuses the lookup gives a warning, not a finding', async () => {
    const front = await referrersFront(() => ({ status: 403, body: '{}' }));
    try {
      const r = await buildRisksOf(await open('sig/plain:1.0', front.host));
      expect(r.ids).not.toContain('BCR-021');
      expect(r.warnings.some((w) => /^image signatures not checked: signature lookup failed: .*access denied/.test(w))).toBe(true);
    } finally {
      await front.stop();
    }
  });
});
