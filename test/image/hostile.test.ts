/**
 * Hostile images end to end: each must end in a clear one-line TarsierError naming what and where
 * (or a warning where skipping is the safe choice), in bounded memory, and nothing may be written
 * outside the cache directory.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LayerCache } from '../../src/analysis/layer-cache.js';
import { MergedFilesystem } from '../../src/analysis/merged-fs.js';
import { writeDockerArchive, writeOciLayout } from '../../src/image/build/image-writer.js';
import {
  DEBIAN12_OS_RELEASE,
  expectTarsierError,
  progressLog,
  removeDir,
  scan,
  sha256,
  tempDir,
  writeRawOciLayout,
  writeTarFile,
  type RawLayoutOptions,
} from '../helpers/image-fixtures.js';
import { manyEmptyFiles, rawTar, tarEnd, tarHeader } from '../helpers/raw-tar.js';

const MiB = 2 ** 20;

let root: string;
let sysTmp: string;
let cacheDir: string;
let n = 0;
const escapeName = `tarsier-escape-${process.pid}-${Date.now()}`;

beforeAll(async () => {
  root = await tempDir('tarsier-hostile-');
  // Every temp file the scanner makes (e.g. an inflated .tar.gz archive) lands here, so we can
  // check that nothing is left behind.
  sysTmp = join(root, 'sys-tmp');
  await mkdir(sysTmp);
  process.env.TMPDIR = sysTmp;
  expect(tmpdir()).toBe(sysTmp);
  cacheDir = join(root, 'cache');
});
afterAll(() => removeDir(root));

const cache = () => new LayerCache(cacheDir);
const layout = (opts: RawLayoutOptions) => writeRawOciLayout(join(root, `raw${n++}`), opts);
const gzTar = (entries: Parameters<typeof rawTar>[0]) => gzipSync(rawTar(entries));
const okLayer = () => gzTar([{ name: 'etc/os-release', content: DEBIAN12_OS_RELEASE() }]);

/**
 * A gzip bomb that is a valid tar: one header for a file of `size` bytes, then `size` zero bytes
 * as repeated 1 MiB gzip members (~1 KiB each), so a 1 GiB layer costs 1 MiB to store and nothing
 * to build.
 */
function gzipBomb(size: number): Buffer {
  const zeros = gzipSync(Buffer.alloc(MiB), { level: 9 });
  return Buffer.concat([gzipSync(tarHeader('bomb', { size })), ...Array.from({ length: Math.ceil(size / MiB) }, () => zeros), gzipSync(tarEnd())]);
}

/** The diffID of `gzipBomb(size)` (size a multiple of 1 MiB), hashed without inflating it in memory. */
function gzipBombDiffId(size: number): string {
  const h = createHash('sha256').update(tarHeader('bomb', { size }));
  const zeros = Buffer.alloc(MiB);
  for (let i = 0; i < size / MiB; i++) h.update(zeros);
  return `sha256:${h.update(tarEnd()).digest('hex')}`;
}

/** Progress that also samples RSS while a layer streams. */
function rssProgress() {
  const p = progressLog();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const inner = p.layerBytes;
  p.layerBytes = (s, u, i) => {
    inner(s, u, i);
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  return { progress: p, growthMiB: () => (peak - rss0) / MiB };
}

describe('paths and links', () => {
  it('entries with .. are skipped with a warning, absolute ones normalised, nothing escapes', async () => {
    const before = await snapshot(root);
    const img = await layout({
      layers: [
        {
          blob: gzTar([
            { name: `../../../../../../../tmp/${escapeName}`, content: 'pwned' },
            { name: `etc/../../${escapeName}`, content: 'pwned' },
            { name: '/etc/os-release', content: DEBIAN12_OS_RELEASE() },
            { name: 'etc/shadow-link', type: 'symlink', linkname: '../../../../../etc/shadow' },
            { name: 'etc/passwd-link', type: 'hardlink', linkname: '../../../../etc/passwd' },
          ]),
        },
      ],
    });
    const { inventory, warnings } = await scan(img.ref, { cache: cache() });
    // The absolute entry counted as etc/os-release of the image.
    expect(inventory.os).toMatchObject({ family: 'debian', version: '12' });
    expect(warnings.filter((w) => w.includes('outside the image root'))).toHaveLength(3);
    for (const w of warnings) expect(w).toContain(`${img.ref} layer 1`);
    // The symlink stays as written but resolves inside the image.
    expect(inventory.symlinks['etc/shadow-link']).toBe('../../../../../etc/shadow');
    expect(MergedFilesystem.of(inventory).resolve('etc/shadow-link')).toBe('etc/shadow');
    // Nothing was written anywhere but the cache.
    for (const base of ['/tmp', process.cwd(), root, cacheDir, img.dir]) expect(existsSync(join(base, escapeName)), base).toBe(false);
    const added = (await snapshot(root)).filter((f) => !before.includes(f) && !f.startsWith(relative(root, img.dir)));
    expect(added.length).toBeGreaterThan(0);
    for (const f of added) expect(f).toMatch(/^cache\/layers\/sha256-[a-f0-9]{64}\/[a-z-]+-[a-f0-9]{24}\.json$/);
    expect(await readdir(sysTmp)).toEqual([]);
  });

  it('digests and member names from manifests cannot point outside the layout or archive', async () => {
    const img = await layout({ layers: [{ blob: okLayer() }] });
    const manifest = { schemaVersion: 2, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: 'sha256:../../../../etc/passwd', size: 10 }, layers: [] };
    const evil = await layout({ layers: [], manifestBytes: Buffer.from(JSON.stringify(manifest)) });
    await expectTarsierError(scan(evil.ref), 'input', evil.dir, 'invalid digest', '../../../../etc/passwd');
    expect(img.layers).toHaveLength(1);

    const docker = join(root, 'evil-docker.tar');
    await writeTarFile(docker, [{ name: 'manifest.json', data: JSON.stringify([{ Config: '../../../etc/passwd', RepoTags: ['x:1'], Layers: [] }]) }]);
    await expectTarsierError(scan(docker), 'input', docker, 'outside the archive');
  });
});

describe('size bombs', () => {
  it('a gzip bomb stops at --max-layer-size with layer_oversized, in bounded memory', async () => {
    const blob = gzipBomb(1024 * MiB);
    expect(blob.length).toBeLessThan(2 * MiB);
    const img = await layout({ layers: [{ blob, diffId: sha256('bomb') }] });
    const { progress, growthMiB } = rssProgress();
    const err = await expectTarsierError(
      scan(img.ref, { limits: { maxLayerBytes: 64 * MiB }, progress }),
      'layer_oversized',
      `${img.ref} layer 1 (${img.layers[0]?.digest.slice(0, 19)})`,
      `${64 * MiB}-byte layer limit`,
    );
    expect(err.message).toMatch(/uncompressed layer exceeds/);
    // Streaming stopped at the limit, not after inflating the gigabyte.
    expect(progress.maxUncompressed).toBeLessThanOrEqual(64 * MiB + 2 * MiB);
    expect(growthMiB()).toBeLessThan(150);
  });

  it('layers each under the layer limit stop at --max-image-size with image_oversized', async () => {
    // The first layer is read to its end and its diffID checked, so it gets the true one.
    const fixed = await layout({ layers: [{ blob: gzipBomb(48 * MiB), diffId: gzipBombDiffId(48 * MiB) }, { blob: gzipBomb(48 * MiB), diffId: sha256('b') }] });
    const { progress, growthMiB } = rssProgress();
    await expectTarsierError(
      scan(fixed.ref, { limits: { maxLayerBytes: 64 * MiB, maxImageBytes: 80 * MiB }, progress }),
      'image_oversized',
      // Layers stream concurrently: whichever pushes the running total over the limit is named.
      `${fixed.ref} layer `,
      `${80 * MiB}-byte uncompressed image limit`,
    );
    expect(growthMiB()).toBeLessThan(150);
  });

  it('a gzip-compressed archive file that inflates past --max-image-size is refused, and its temp file removed', async () => {
    const plain = join(root, 'to-bomb.tar');
    await writeDockerArchive({ layers: [{ compression: 'none', entries: [{ path: 'zeros', content: { size: 8 * MiB, stream: () => zeroStream(8 * MiB) } }] }] }, plain);
    const gz = `${plain}.gz`;
    await pipeline(createReadStream(plain), createGzip(), createWriteStream(gz));
    await expectTarsierError(scan(gz, { limits: { maxImageBytes: 4 * MiB } }), 'image_oversized', gz, 'image size limit');
    expect(await readdir(sysTmp)).toEqual([]);
    // Within the limit the same archive scans, and the inflated copy is still cleaned up.
    await scan(gz);
    expect(await readdir(sysTmp)).toEqual([]);
  });

  it('a layer with more entries than --max-entries ends in entries_exceeded', async () => {
    const file = join(root, 'many.tar.gz');
    const hash = createHash('sha256');
    const tap = new Transform({
      transform(chunk: Buffer, _e, cb) {
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    await pipeline(manyEmptyFiles(20_001), tap, createGzip({ level: 1 }), createWriteStream(file));
    const img = await layout({ layers: [{ blob: { file }, diffId: `sha256:${hash.digest('hex')}` }] });
    await expectTarsierError(scan(img.ref, { limits: { maxEntries: 20_000 } }), 'entries_exceeded', `${img.ref} layer 1`, 'more than 20000 entries');
    const ok = await scan(img.ref, { limits: { maxEntries: 20_001 } });
    expect(ok.inventory.artifact.layers).toHaveLength(1);
  });
});

describe('truncated and corrupt streams', () => {
  it('a truncated gzip layer', async () => {
    const full = okLayer();
    const img = await layout({ layers: [{ blob: full.subarray(0, full.length - 40), diffId: sha256(rawTar([{ name: 'etc/os-release', content: DEBIAN12_OS_RELEASE() }])) }] });
    await expectTarsierError(scan(img.ref), 'input', `${img.ref} layer 1`, 'corrupt or truncated compressed layer');
  });

  it('a truncated zstd layer', async () => {
    const dir = join(root, 'zstd-src');
    const written = await writeOciLayout({ layers: [{ compression: 'zstd', entries: [{ path: 'etc/os-release', content: DEBIAN12_OS_RELEASE().repeat(20) }] }] }, dir);
    const blob = await readFile(written.layers[0]?.file as string);
    expect(blob.readUInt32LE(0)).toBe(0xfd2fb528);
    const img = await layout({ layers: [{ blob: blob.subarray(0, Math.floor(blob.length / 2)), diffId: written.layers[0]?.diffId, mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' }] });
    await expectTarsierError(scan(img.ref), 'input', `${img.ref} layer 1`, 'zstd');
  });

  it('a truncated tar inside an intact compressed stream', async () => {
    const tarBytes = rawTar([{ name: 'etc/os-release', content: 'x'.repeat(5000) }]).subarray(0, 2048);
    const img = await layout({ layers: [{ blob: gzipSync(tarBytes) }] });
    await expectTarsierError(scan(img.ref), 'input', `${img.ref} layer 1`, 'corrupt tar');
  });

  it('a blob that is not compressed and not a tar', async () => {
    const junk = Buffer.from('this is not an image layer at all, just text that goes on '.repeat(20));
    const img = await layout({ layers: [{ blob: junk }] });
    await expectTarsierError(scan(img.ref), 'input', `${img.ref} layer 1`);
  });
});

describe('lying manifests and configs', () => {
  it('a layer blob that does not match its digest', async () => {
    const claimed = sha256('some other layer');
    const img = await layout({ layers: [{ blob: okLayer(), digest: claimed }] });
    const err = await expectTarsierError(scan(img.ref), 'digest_mismatch', `${img.ref} layer 1`, claimed);
    expect(err.message).toContain('hashes to sha256:');
  });

  it('an uncompressed layer that does not match the config’s diffID', async () => {
    const img = await layout({ layers: [{ blob: okLayer(), diffId: sha256('not this layer') }] });
    await expectTarsierError(scan(img.ref), 'digest_mismatch', `${img.ref} layer 1`, `not diffID ${sha256('not this layer')}`);
  });

  it('a manifest that declares a layer smaller or larger than it is', async () => {
    const blob = okLayer();
    const smaller = await layout({ layers: [{ blob, size: blob.length - 10 }] });
    await expectTarsierError(scan(smaller.ref), 'digest_mismatch', `${smaller.ref} layer 1`, `larger than the ${blob.length - 10} bytes its manifest declares`);
    const larger = await layout({ layers: [{ blob, size: blob.length + 10 }] });
    await expectTarsierError(scan(larger.ref), 'digest_mismatch', `${larger.ref} layer 1`, `has ${blob.length} bytes, its manifest declares ${blob.length + 10}`);
    const huge = await layout({ layers: [{ blob, size: 20 * 2 ** 30 }] });
    await expectTarsierError(scan(huge.ref), 'layer_oversized', `${huge.ref}: layer 1`, 'compressed');
  });

  it('a config whose content does not match its digest', async () => {
    const img = await layout({ layers: [{ blob: okLayer() }] });
    const index = JSON.parse(await readFile(join(img.dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    const manifest = JSON.parse(await readFile(join(img.dir, 'blobs/sha256', (index.manifests[0]?.digest as string).slice(7)), 'utf8')) as { config: { digest: string } };
    await writeFile(join(img.dir, 'blobs/sha256', manifest.config.digest.slice(7)), JSON.stringify({ rootfs: { type: 'layers', diff_ids: [] } }));
    await expectTarsierError(scan(img.ref), 'digest_mismatch', img.dir, manifest.config.digest);
  });

  it('a config whose diff_ids count differs from the layers (OCI and docker-archive)', async () => {
    const oci = await layout({ layers: [{ blob: okLayer() }, { blob: okLayer() }], diffIds: [sha256('only one')] });
    await expectTarsierError(scan(oci.ref), 'input', oci.ref, 'manifest has 2 layers but the config lists 1 diffIDs');

    const file = join(root, 'count.tar');
    const layer = rawTar([{ name: 'a', content: 'a' }]);
    const config = JSON.stringify({ rootfs: { type: 'layers', diff_ids: [sha256(layer)] } });
    await writeTarFile(file, [
      { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['x:1'], Layers: ['l1/layer.tar', 'l2/layer.tar'] }]) },
      { name: 'c.json', data: config },
      { name: 'l1/layer.tar', data: layer },
      { name: 'l2/layer.tar', data: layer },
    ]);
    await expectTarsierError(scan(file), 'input', file, 'config lists 1 layers but manifest.json has 2');
  });

  it('invalid JSON in the manifest, the index, the config and docker’s manifest.json', async () => {
    const badManifest = await layout({ layers: [], manifestBytes: Buffer.from('{"schemaVersion": 2, "layers": [') });
    await expectTarsierError(scan(badManifest.ref), 'input', badManifest.dir, 'manifest sha256:', 'invalid JSON');

    const badIndex = await layout({ layers: [{ blob: okLayer() }], indexBytes: Buffer.from('{ not json') });
    await expectTarsierError(scan(badIndex.ref), 'input', `${badIndex.dir}/index.json`, 'invalid JSON');

    const badConfig = await layout({ layers: [{ blob: okLayer() }], configBytes: Buffer.from('{"rootfs": ') });
    await expectTarsierError(scan(badConfig.ref), 'input', badConfig.ref, 'image config is not valid JSON');

    const nullConfig = await layout({ layers: [{ blob: okLayer() }], configBytes: Buffer.from('null') });
    await expectTarsierError(scan(nullConfig.ref), 'input', nullConfig.ref, 'image config');

    const noLayers = await layout({ layers: [], manifestBytes: Buffer.from('{"schemaVersion": 2}') });
    await expectTarsierError(scan(noLayers.ref), 'input', noLayers.dir, 'has no config or layers');

    const file = join(root, 'bad-manifest.tar');
    await writeTarFile(file, [{ name: 'manifest.json', data: '[{"Config": ' }]);
    await expectTarsierError(scan(file), 'input', `${file}/manifest.json`, 'invalid JSON');
  });

  it('left nothing in the temp directory and only cache entries in the cache', async () => {
    expect(await readdir(sysTmp)).toEqual([]);
    for (const f of await snapshot(cacheDir)) expect(f).toMatch(/^layers\/sha256-[a-f0-9]{64}\/[a-z-]+-[a-f0-9]{24}\.json$/);
  });
});

/** Every file under `dir`, relative to it. */
async function snapshot(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))).sort();
}

function zeroStream(size: number): Readable {
  let left = size;
  return new Readable({
    read() {
      const n = Math.min(left, MiB);
      left -= n;
      this.push(n > 0 ? Buffer.alloc(n) : null);
    },
  });
}
