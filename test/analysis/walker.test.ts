/**
 * The walker on raw tar bytes: hostile paths and links, entry-count bombs, truncation, caps and
 * misbehaving analyzers. Nothing here touches the filesystem; the walker must not either.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { layerMetaAnalyzer } from '../../src/analysis/analyzers/layer-meta.js';
import { osReleaseAnalyzer } from '../../src/analysis/analyzers/os-release.js';
import type { Analyzer, EntryInfo, FileAnalyzer, LayerMetaFact, StreamAnalyzer } from '../../src/analysis/types.js';
import { normaliseEntryPath, walkLayer } from '../../src/analysis/walker.js';
import { expectTarsierError } from '../helpers/image-fixtures.js';
import { manyEmptyFiles, rawTar, tarEntry, tarHeader } from '../helpers/raw-tar.js';

const DIFF = `sha256:${'0'.repeat(64)}`;

/** A file analyzer that records every entry it is given, with the content. */
function recorder(maxBytes = 1 << 20, wants: (e: EntryInfo) => boolean = (e) => e.type === 'file' || e.type === 'hardlink'): FileAnalyzer & { seen: Array<{ path: string; content: string }> } {
  const seen: Array<{ path: string; content: string }> = [];
  return {
    kind: 'file',
    name: 'recorder',
    version: '1',
    maxBytes,
    wants,
    seen,
    analyze(entry, content) {
      seen.push({ path: entry.path, content: content.toString('utf8') });
      return [{ kind: 'warning', path: entry.path, message: 'seen' }];
    },
  };
}

async function walk(tarBytes: Buffer | Readable, analyzers: Analyzer[], maxEntries = 1000) {
  const warnings: string[] = [];
  const out = await walkLayer(Buffer.isBuffer(tarBytes) ? Readable.from([tarBytes]) : tarBytes, analyzers, {
    diffId: DIFF,
    where: 'img layer 1',
    limits: { maxEntries },
    onWarning: (m) => warnings.push(m),
  });
  const meta = out['layer-meta']?.facts[0] as LayerMetaFact | undefined;
  return { out, warnings, meta };
}

describe('normaliseEntryPath', () => {
  it.each([
    ['etc/passwd', 'etc/passwd'],
    ['./etc/passwd', 'etc/passwd'],
    ['/etc/passwd', 'etc/passwd'],
    ['//./etc//passwd', 'etc/passwd'],
    ['etc/ssh/', 'etc/ssh'],
    ['etc/../etc/shadow', 'etc/shadow'],
    ['usr/./lib/../bin/sh', 'usr/bin/sh'],
    ['./', ''],
    ['.', ''],
  ])('%s → %s', (raw, want) => {
    expect(normaliseEntryPath(raw)).toBe(want);
  });

  it.each(['..', '../etc/passwd', '../../../../tmp/x', 'etc/../../x', './a/../../b', '/../x'])('%s is outside the root', (raw) => {
    expect(normaliseEntryPath(raw)).toBeNull();
  });
});

describe('hostile paths and links', () => {
  it('skips entries that climb out of the root (with a warning) and normalises absolute ones', async () => {
    const rec = recorder();
    const { warnings, meta } = await walk(
      rawTar([
        { name: '../../../../../tmp/tarsier-escape', content: 'pwned' },
        { name: 'etc/../../outside', content: 'pwned' },
        { name: '/etc/hostname', content: 'abs' },
        { name: './etc/motd', content: 'dot' },
      ]),
      [layerMetaAnalyzer, rec],
    );
    expect(rec.seen).toEqual([
      { path: 'etc/hostname', content: 'abs' },
      { path: 'etc/motd', content: 'dot' },
    ]);
    expect(warnings).toHaveLength(2);
    for (const w of warnings) expect(w).toMatch(/^img layer 1: skipped entry with a path outside the image root: /);
    expect(warnings[0]).toContain('../../../../../tmp/tarsier-escape');
    expect(meta?.entries).toBe(2);
  });

  it('keeps symlink targets as written, skips hardlinks that point outside, normalises absolute hardlinks', async () => {
    const rec = recorder();
    const { warnings, meta } = await walk(
      rawTar([
        { name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' },
        { name: 'evil-symlink', type: 'symlink', linkname: '../../../../etc/shadow' },
        { name: 'abs-symlink', type: 'symlink', linkname: '/etc/passwd' },
        { name: 'evil-hardlink', type: 'hardlink', linkname: '../../../etc/shadow' },
        { name: 'abs-hardlink', type: 'hardlink', linkname: '/etc/passwd' },
      ]),
      [layerMetaAnalyzer, rec],
    );
    expect(meta?.symlinks).toEqual({ 'evil-symlink': '../../../../etc/shadow', 'abs-symlink': '/etc/passwd' });
    expect(meta?.hardlinks).toEqual({ 'abs-hardlink': 'etc/passwd' });
    expect(warnings).toEqual(['img layer 1: skipped hardlink evil-hardlink pointing outside the image root']);
    // Links are never followed for content: only the regular file was read.
    expect(rec.seen.map((s) => s.path)).toEqual(['etc/passwd']);
  });
});

describe('bounds', () => {
  it('stops a million tiny entries at --max-entries, in linear time and bounded memory', async () => {
    const limit = 1_000_000;
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    let seen = 0;
    // When each 100k-entry stretch ended: later stretches must not be slower than early ones.
    const marks: number[] = [];
    const err = await expectTarsierError(
      walkLayer(manyEmptyFiles(limit + 1), [layerMetaAnalyzer, osReleaseAnalyzer], {
        diffId: DIFF,
        where: 'img layer 3',
        limits: { maxEntries: limit },
        onEntry: (count) => {
          seen = count;
          if (count % 100_000 === 0) marks.push(performance.now());
          if (count % 65536 === 0) peak = Math.max(peak, process.memoryUsage().rss);
        },
      }),
      'entries_exceeded',
      'img layer 3',
      'more than 1000000 entries',
    );
    expect(err.message).toBe('img layer 3: more than 1000000 entries in one layer');
    expect(seen).toBe(limit);
    // ~8 s on an idle 2-core machine (tar-stream's per-entry cost dominates). Wall time depends on
    // the machine's load, so check the shape instead: per-entry work that grew with the entry count
    // would make the last stretch several times slower than the second.
    expect(marks).toHaveLength(10);
    const stretch = (i: number) => (marks[i] as number) - (marks[i - 1] as number);
    expect(stretch(9)).toBeLessThan(5 * stretch(1));
    expect((peak - rss0) / 2 ** 20).toBeLessThan(200);
  }, 120_000);

  it('accepts a layer with exactly --max-entries entries', async () => {
    const { meta } = await walk(manyEmptyFiles(1000), [layerMetaAnalyzer], 1000);
    expect(meta).toMatchObject({ entries: 1000, regularFiles: 1000 });
  });

  it('a file over an analyzer’s cap is not read, and the analyzer says so', async () => {
    const rec = recorder(8);
    const { out } = await walk(rawTar([{ name: 'big', content: 'x'.repeat(100) }, { name: 'small', content: 'tiny' }]), [rec]);
    expect(rec.seen.map((s) => s.path)).toEqual(['small']);
    expect(out.recorder?.facts).toContainEqual({ kind: 'warning', path: '', message: "big is 100 bytes, over recorder's 8-byte cap; not analysed" });
  });
});

describe('truncated and corrupt tar', () => {
  it('a file whose content stops early is a corrupt-tar error naming the layer', async () => {
    const cut = Buffer.concat([tarEntry({ name: 'etc/ok', content: 'fine' }), tarHeader('etc/big', { size: 4096 }), Buffer.alloc(100, 0x61)]);
    await expectTarsierError(walk(cut, [layerMetaAnalyzer, recorder()]), 'input', 'img layer 1', 'corrupt tar');
  });

  it('a stream that stops inside a header is an error too', async () => {
    const cut = Buffer.concat([tarEntry({ name: 'etc/ok', content: 'fine' }), tarHeader('etc/next').subarray(0, 200)]);
    await expectTarsierError(walk(cut, [layerMetaAnalyzer]), 'input', 'img layer 1');
  });

  it('a header with a bad checksum is an error, not a guess', async () => {
    const bad = tarHeader('etc/x', { size: 0 });
    bad.write('99999', 148, 'ascii');
    await expectTarsierError(walk(Buffer.concat([bad, Buffer.alloc(1024)]), [layerMetaAnalyzer]), 'input', 'img layer 1', 'corrupt tar');
  });
});

describe('analyzers that fail', () => {
  it('an analyzer throwing on one file is a warning; the walk and other analyzers go on', async () => {
    const throwing: FileAnalyzer = {
      kind: 'file',
      name: 'throwing',
      version: '1',
      maxBytes: 1024,
      wants: () => true,
      analyze: (entry) => {
        if (entry.path === 'a') throw new Error('parser blew up');
        return [];
      },
    };
    const rejecting: StreamAnalyzer = {
      kind: 'stream',
      name: 'rejecting',
      version: '1',
      wants: () => true,
      open: () => ({ write: () => undefined, end: () => Promise.reject(new Error('async failure')) }),
    };
    const rec = recorder();
    const { out, warnings } = await walk(rawTar([{ name: 'a', content: '1' }, { name: 'b', content: '2' }]), [throwing, rejecting, rec]);
    expect(rec.seen.map((s) => s.path)).toEqual(['a', 'b']);
    expect(out.throwing?.facts).toEqual([{ kind: 'warning', path: '', message: 'throwing could not read a: parser blew up' }]);
    expect(out.rejecting?.facts).toHaveLength(2);
    expect(warnings.filter((w) => w.includes('async failure'))).toHaveLength(2);
  });

  it('stream analyzers get every byte of a file in order, however large, without a cap', async () => {
    const size = 3 * 1024 * 1024 + 17;
    const content = Buffer.alloc(size);
    for (let i = 0; i < size; i++) content[i] = (i * 31) & 0xff;
    let got = Buffer.alloc(0);
    const collector: StreamAnalyzer = {
      kind: 'stream',
      name: 'collector',
      version: '1',
      wants: (e) => e.path === 'blob',
      open: () => {
        const parts: Buffer[] = [];
        return {
          write: (c) => void parts.push(Buffer.from(c)),
          end: () => ((got = Buffer.concat(parts)), []),
        };
      },
    };
    await walk(rawTar([{ name: 'blob', content }]), [collector]);
    expect(got.equals(content)).toBe(true);
  });
});
