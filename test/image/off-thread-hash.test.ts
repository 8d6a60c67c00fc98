/**
 * Hashing on the worker thread: the same digests as node:crypto in this thread, whatever the
 * chunking and however many hashes run at once; and the layer stream checks stored digest and
 * diffID with it exactly as it does inline (same errors, same bytes out).
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { TarsierError } from '../../src/errors.js';
import { uncompressedLayer } from '../../src/image/layer-stream.js';
import { OffThreadHash } from '../../src/image/off-thread-hash.js';
import { MEDIA_TYPES } from '../../src/image/types.js';
import { gzipLayer, sha256 } from '../helpers/image-fixtures.js';
import { rawTar } from '../helpers/raw-tar.js';

const MiB = 2 ** 20;

/** Feeds `data` in chunks of varying size (1 byte up to 3 MiB, crossing the 1 MiB blocks). */
function feed(h: OffThreadHash, data: Buffer, seed: number): void {
  let off = 0;
  let i = seed;
  while (off < data.length) {
    const n = Math.min(data.length - off, [1, 7, 4096, 65_537, MiB, 3 * MiB + 5][i++ % 6]!);
    h.update(data.subarray(off, off + n));
    off += n;
  }
}

describe('OffThreadHash', () => {
  it('gives node:crypto’s digests for concurrent sha256 and sha512 hashes of odd chunkings', async () => {
    const inputs = [Buffer.alloc(0), randomBytes(1), randomBytes(MiB), randomBytes(9 * MiB + 3), randomBytes(40 * MiB + 17)];
    const runs = inputs.flatMap((data, i) =>
      (['sha256', 'sha512'] as const).map((alg) => {
        const h = new OffThreadHash(alg);
        feed(h, data, i);
        return { alg, data, digest: h.digest() };
      }),
    );
    for (const r of runs) expect(await r.digest).toBe(createHash(r.alg).update(r.data).digest('hex'));
  });

  it('an aborted hash leaves the worker serving the next ones', async () => {
    const dropped = new OffThreadHash('sha256');
    dropped.update(randomBytes(3 * MiB));
    dropped.abort();
    const data = randomBytes(2 * MiB);
    const h = new OffThreadHash('sha256');
    h.update(data);
    expect(await h.digest()).toBe(createHash('sha256').update(data).digest('hex'));
  });
});

describe('layer stream with off-thread hashing', () => {
  const tar = rawTar([
    { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
    { name: 'srv/blob.bin', content: randomBytes(5 * MiB) },
  ]);
  const blob = gzipLayer(tar);
  const desc = { mediaType: MEDIA_TYPES.ociLayerGzip, digest: sha256(blob), size: blob.length };

  async function read(opts: { digest?: string; diffId?: string; offThreadHash: boolean }): Promise<Buffer> {
    const stream = uncompressedLayer(Readable.from([blob.subarray(0, 1000), blob.subarray(1000)]), {
      desc: { ...desc, digest: opts.digest ?? desc.digest },
      diffId: opts.diffId ?? sha256(tar),
      imageBytesSoFar: 0,
      maxImageBytes: 1 << 30,
      maxLayerBytes: 1 << 30,
      where: 'test layer 1',
      offThreadHash: opts.offThreadHash,
    });
    const parts: Buffer[] = [];
    await pipeline(stream.tar, new Writable({ write: (c: Buffer, _e, cb) => (parts.push(c), cb()) }));
    return Buffer.concat(parts);
  }

  it('passes a layer whose digests match, with the same bytes as inline hashing', async () => {
    expect((await read({ offThreadHash: true })).equals(tar)).toBe(true);
    expect((await read({ offThreadHash: false })).equals(tar)).toBe(true);
  });

  for (const offThreadHash of [true, false]) {
    it(`refuses a wrong diffID and a wrong blob digest the same way (off thread: ${offThreadHash})`, async () => {
      const diffErr = await read({ offThreadHash, diffId: sha256('another layer') }).catch((e: unknown) => e);
      expect(diffErr).toBeInstanceOf(TarsierError);
      expect(diffErr).toMatchObject({ code: 'digest_mismatch', message: `test layer 1: uncompressed layer hashes to ${sha256(tar).slice(0, 19)}…, not diffID ${sha256('another layer')}` });
      const blobErr = await read({ offThreadHash, digest: sha256('another blob') }).catch((e: unknown) => e);
      expect(blobErr).toMatchObject({ code: 'digest_mismatch', message: `test layer 1: blob content hashes to ${desc.digest.slice(0, 19)}…, not ${sha256('another blob')}` });
    });
  }
});
