/**
 * analyzeImage as a whole: what the artifact section says, how history maps to layers, that cached
 * layers are never opened, and how it treats sources that misbehave.
 */
import type { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeImage, DEFAULT_LIMITS } from '../../src/analysis/analyze-image.js';
import { LayerCache } from '../../src/analysis/layer-cache.js';
import type { ImageSpec } from '../../src/image/build/image-writer.js';
import { openImage } from '../../src/image/open-image.js';
import type { Descriptor, ImageSource } from '../../src/image/types.js';
import {
  baseAnalyzers,
  buildImage,
  DEBIAN12_OS_RELEASE,
  expectTarsierError,
  progressLog,
  removeDir,
  sha256,
  tempDir,
  writeRawOciLayout,
} from '../helpers/image-fixtures.js';
import { rawTar, tarEnd, tarHeader } from '../helpers/raw-tar.js';

let tmp: string;
beforeAll(async () => {
  tmp = await tempDir('tarsier-analyze-');
});
afterAll(() => removeDir(tmp));

const spec: ImageSpec = {
  layers: [
    { entries: [{ path: 'etc/os-release', content: DEBIAN12_OS_RELEASE() }], createdBy: '/bin/sh -c #(nop) ADD file:abc in / ' },
    { entries: [{ path: 'srv/app', content: 'app' }], createdBy: 'COPY app /srv/app' },
    { entries: [{ path: 'srv/conf', content: 'conf' }], createdBy: 'RUN configure' },
  ],
  emptyHistory: [
    { after: -1, createdBy: 'ARG VERSION' },
    { after: 0, createdBy: 'CMD ["bash"]' },
    { after: 0, createdBy: 'ENV A=1' },
    { after: 2, createdBy: 'USER app' },
  ],
  config: { architecture: 'arm64', os: 'linux', variant: 'v8', config: { User: 'app' } },
};

/** Wraps a source to count which blobs are opened. */
function counting(source: ImageSource): ImageSource & { opened: string[] } {
  const opened: string[] = [];
  return {
    type: source.type,
    ref: source.ref,
    opened,
    manifest: () => source.manifest(),
    configBytes: () => source.configBytes(),
    openBlob: (d: Descriptor): Promise<Readable> => {
      opened.push(d.digest);
      return source.openBlob(d);
    },
    close: () => source.close(),
  };
}

async function analyze(ref: string, cache: LayerCache | null = null) {
  const source = counting(await openImage(ref, { maxImageBytes: DEFAULT_LIMITS.maxImageBytes }));
  const progress = progressLog();
  const done: number[] = [];
  progress.layerDone = (i) => void done.push(i);
  try {
    const inventory = await analyzeImage(source, { analyzers: baseAnalyzers(), cache, limits: DEFAULT_LIMITS, platform: 'linux/amd64', progress });
    return { inventory, opened: source.opened, progress, done };
  } finally {
    await source.close();
  }
}

describe('analyzeImage', () => {
  it('fills the artifact section from manifest and config', async () => {
    const built = await buildImage('oci', spec, tmp, 'artifact');
    const { inventory } = await analyze(built.ref);
    const a = inventory.artifact;
    expect(a).toMatchObject({ ref: built.ref, type: 'oci', digest: built.image.manifestDigest, configDigest: built.image.config.digest, platform: 'linux/arm64/v8' });
    // Stored size: manifest + config + layers, as a registry would count it.
    expect(a.size).toBe(built.image.manifest.length + built.image.config.size + built.image.layers.reduce((s, l) => s + l.size, 0));
    expect(a.layers.map((l) => [l.digest, l.diffId, l.size])).toEqual(built.image.layers.map((l) => [l.digest, l.diffId, l.size]));
    expect(inventory.config.config?.User).toBe('app');
    expect(inventory.history).toHaveLength(7);
  });

  it('maps history to layers, skipping empty_layer lines', async () => {
    const built = await buildImage('oci', spec, tmp, 'history');
    const { inventory } = await analyze(built.ref);
    expect(inventory.artifact.layers.map((l) => l.createdBy)).toEqual(['/bin/sh -c #(nop) ADD file:abc in / ', 'COPY app /srv/app', 'RUN configure']);
  });

  it('tolerates a history that does not match the layers (no createdBy where unknown)', async () => {
    const built = await buildImage('oci', { ...spec, config: { ...spec.config, history: [{ created_by: 'only one' }] } }, tmp, 'short-history');
    const { inventory } = await analyze(built.ref);
    expect(inventory.artifact.layers.map((l) => l.createdBy ?? null)).toEqual(['only one', null, null]);
  });

  it('reports progress per layer and never opens a layer whose facts are all cached', async () => {
    const built = await buildImage('oci', spec, tmp, 'progress');
    const cache = new LayerCache(`${tmp}/cache`);
    const cold = await analyze(built.ref, cache);
    expect(cold.opened).toEqual(built.image.layers.map((l) => l.digest));
    expect(cold.progress.starts.map((s) => [s.index, s.cached])).toEqual([[0, false], [1, false], [2, false]]);
    expect([...cold.done].sort()).toEqual([0, 1, 2]);
    expect(cold.progress.maxUncompressed).toBeGreaterThan(0);

    const warm = await analyze(built.ref, cache);
    expect(warm.opened).toEqual([]);
    expect(warm.progress.starts.map((s) => s.cached)).toEqual([true, true, true]);
    expect(warm.inventory).toEqual(cold.inventory);
  });

  it('refuses malformed diffIDs before opening anything', async () => {
    const img = await writeRawOciLayout(`${tmp}/bad-diffid`, { layers: [{ blob: rawTar([{ name: 'a', content: 'a' }]) }], diffIds: ['md5:../../x'] });
    await expectTarsierError(analyze(img.ref), 'input', img.ref, 'invalid diffID', 'layer 1');
  });

  it('an image with no layers is an empty inventory, not an error', async () => {
    const img = await writeRawOciLayout(`${tmp}/empty`, { layers: [] });
    const { inventory, opened } = await analyze(img.ref);
    expect(opened).toEqual([]);
    expect(inventory).toMatchObject({ os: null, packages: [], symlinks: {}, artifact: { layers: [] } });
  });

  it('when one layer fails, the layer read alongside it is stopped, not read to its end', async () => {
    const MiB = 2 ** 20;
    const zeros = gzipSync(Buffer.alloc(MiB));
    // Layer 2 inflates to 1 GiB (1 MiB stored): reading it all would take seconds.
    const big = Buffer.concat([gzipSync(tarHeader('big', { size: 1024 * MiB })), ...Array.from({ length: 1024 }, () => zeros), gzipSync(tarEnd())]);
    const img = await writeRawOciLayout(`${tmp}/abort`, {
      layers: [{ blob: gzipSync(rawTar([{ name: 'a', content: 'a' }])), diffId: sha256('wrong') }, { blob: big, diffId: sha256('unchecked') }],
    });
    const real = await openImage(img.ref, { maxImageBytes: DEFAULT_LIMITS.maxImageBytes });
    const blobs: Readable[] = [];
    const tracking: ImageSource = {
      type: real.type,
      ref: real.ref,
      manifest: () => real.manifest(),
      configBytes: () => real.configBytes(),
      openBlob: async (d) => {
        const s = await real.openBlob(d);
        blobs.push(s);
        return s;
      },
      close: () => real.close(),
    };
    const progress = progressLog();
    try {
      await expectTarsierError(
        analyzeImage(tracking, { analyzers: baseAnalyzers(), cache: null, limits: DEFAULT_LIMITS, platform: 'linux/amd64', progress }),
        'digest_mismatch',
        `${img.ref} layer 1`,
      );
    } finally {
      await real.close();
    }
    // Whether layer 2 had started or not, nothing of it is still being read.
    for (const b of blobs) expect(b.destroyed || b.readableEnded).toBe(true);
    expect(progress.maxUncompressed).toBeLessThan(1024 * MiB);
  });

  it('a source whose blob stream fails mid-way ends in a TarsierError naming the layer', async () => {
    const built = await buildImage('oci', spec, tmp, 'flaky');
    const real = await openImage(built.ref, { maxImageBytes: DEFAULT_LIMITS.maxImageBytes });
    const flaky: ImageSource = {
      type: real.type,
      ref: real.ref,
      manifest: () => real.manifest(),
      configBytes: () => real.configBytes(),
      openBlob: async (d) => {
        const s = await real.openBlob(d);
        s.once('data', () => s.destroy(new Error('connection reset')));
        return s;
      },
      close: () => real.close(),
    };
    try {
      await expectTarsierError(
        analyzeImage(flaky, { analyzers: baseAnalyzers(), cache: null, limits: DEFAULT_LIMITS, platform: 'linux/amd64' }),
        'network',
        `${built.ref} layer `,
        'connection reset',
      );
    } finally {
      await real.close();
    }
  });
});
