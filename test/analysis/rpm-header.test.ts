import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBdbPackages } from '../../src/analysis/rpmdb/bdb.js';
import { parseRpmHeader } from '../../src/analysis/rpmdb/header.js';
import { parseSourceRpm } from '../../src/analysis/rpmdb/source-rpm.js';
import { TYPE, buildHeader, packageHeader } from './rpm-builders.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const rhel8Db = path.resolve(repoRoot, '../shared/data/pkgdb/rpm/rhel8-libuuid-bdb/Packages');

/** The real libuuid header blob from the RHEL 8 database, or a synthetic one without the shared data. */
function realBlob(): Buffer {
  if (existsSync(rhel8Db)) {
    for (const item of readBdbPackages(readFileSync(rhel8Db))) if (item.kind === 'blob') return Buffer.from(item.blob);
  }
  return packageHeader({ name: 'libuuid', version: '2.32.1', release: '42.el8_8', arch: 'x86_64', sourceRpm: 'util-linux-2.32.1-42.el8_8.src.rpm', license: 'BSD' });
}

describe('rpm header blobs', () => {
  it('reads name, EVR, arch, license, source RPM and modularity label', () => {
    const blob = packageHeader(
      { name: 'nodejs', version: '10.21.0', release: '3.module_el8.2.0+391+8da3adc6', epoch: 1, arch: 'x86_64', license: 'MIT and ASL 2.0', sourceRpm: 'nodejs-10.21.0-3.module_el8.2.0+391+8da3adc6.src.rpm' },
      [{ tag: 5096, type: TYPE.STRING, value: 'nodejs:10:8020020200707141642:6a468ee4' }],
    );
    expect(parseRpmHeader(blob)).toEqual({
      ok: true,
      fields: {
        name: 'nodejs',
        version: '10.21.0',
        release: '3.module_el8.2.0+391+8da3adc6',
        epoch: 1,
        arch: 'x86_64',
        license: 'MIT and ASL 2.0',
        sourceRpm: 'nodejs-10.21.0-3.module_el8.2.0+391+8da3adc6.src.rpm',
        modularityLabel: 'nodejs:10:8020020200707141642:6a468ee4',
      },
    });
  });

  it('reads the real RHEL 8 libuuid header', () => {
    const r = parseRpmHeader(realBlob());
    expect(r).toMatchObject({ ok: true, fields: { name: 'libuuid', version: '2.32.1', release: '42.el8_8', arch: 'x86_64', sourceRpm: 'util-linux-2.32.1-42.el8_8.src.rpm', license: 'BSD' } });
  });

  it('takes the first string of an I18N or array entry, and the last copy of a repeated tag', () => {
    const blob = buildHeader([
      { tag: 1000, type: TYPE.I18NSTRING, value: ['bash', 'bash-fr'] },
      { tag: 1001, type: TYPE.STRING_ARRAY, value: ['4.2.46'] },
      { tag: 1002, type: TYPE.STRING, value: 'old' },
      { tag: 1002, type: TYPE.STRING, value: '34.el7' },
    ]);
    expect(parseRpmHeader(blob)).toEqual({ ok: true, fields: { name: 'bash', version: '4.2.46', release: '34.el7' } });
  });

  it.each([
    ['too short', Buffer.from([0, 0, 0])],
    ['zero tags', Buffer.from([0, 0, 0, 0, 0, 0, 0, 0])],
    ['4 billion tags', Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])],
    ['data length past the blob', Buffer.concat([Buffer.from([0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff]), Buffer.alloc(16)])],
  ])('rejects a blob with %s', (_label, blob) => {
    expect(parseRpmHeader(blob).ok).toBe(false);
  });

  it('rejects entries that point outside the data, lack a terminator, or have the wrong type', () => {
    const good = packageHeader({ name: 'a', version: '1', release: '1' });
    const badOffset = Buffer.from(good);
    badOffset.writeUInt32BE(0xfffffff0, 8 + 8); // NAME offset
    expect(parseRpmHeader(badOffset)).toMatchObject({ ok: false, problem: expect.stringContaining('NAME') });

    const unterminated = Buffer.from(good.subarray(0, good.length - 1));
    unterminated.writeUInt32BE(unterminated.readUInt32BE(4) - 1, 4);
    expect(parseRpmHeader(unterminated)).toMatchObject({ ok: false, problem: expect.stringContaining('not terminated') });

    const wrongType = buildHeader([
      { tag: 1000, type: TYPE.INT32, value: 5 },
      { tag: 1001, type: TYPE.STRING, value: '1' },
      { tag: 1002, type: TYPE.STRING, value: '1' },
    ]);
    expect(parseRpmHeader(wrongType)).toMatchObject({ ok: false, problem: expect.stringContaining('not a string') });

    const epochString = packageHeader({ name: 'a', version: '1', release: '1' }, [{ tag: 1003, type: TYPE.STRING, value: '1' }]);
    expect(parseRpmHeader(epochString)).toMatchObject({ ok: false, problem: expect.stringContaining('EPOCH') });
  });

  it('rejects a header without NAME/VERSION/RELEASE or with an empty one', () => {
    expect(parseRpmHeader(buildHeader([{ tag: 1000, type: TYPE.STRING, value: 'x' }]))).toMatchObject({ ok: false, problem: 'header has no VERSION, RELEASE' });
    expect(parseRpmHeader(packageHeader({ name: '', version: '1', release: '1' })).ok).toBe(false);
  });

  it('never throws on random bytes, and only returns strings from inside the blob', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const r = parseRpmHeader(Buffer.from(bytes));
        if (r.ok) expect(r.fields.name.length).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on random bytes behind a plausible preamble', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 4096 }), fc.uint8Array({ maxLength: 4096 }), (il, dl, rest) => {
        const blob = Buffer.concat([Buffer.alloc(8), Buffer.from(rest)]);
        blob.writeUInt32BE(il, 0);
        blob.writeUInt32BE(dl, 4);
        parseRpmHeader(blob);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on truncations of a real header, and a cut header is rejected', () => {
    const blob = realBlob();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: blob.length - 1 }), (len) => {
        expect(parseRpmHeader(blob.subarray(0, len)).ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on a real header with random bytes overwritten', () => {
    const blob = realBlob();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(blob.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 16 }), (edits) => {
        const copy = Buffer.from(blob);
        for (const [at, v] of edits) copy[at] = v;
        const r = parseRpmHeader(copy);
        if (r.ok) expect(r.fields.name).not.toBe('');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('source RPM file names', () => {
  it.each([
    ['bash-4.2.46-34.el7.src.rpm', { name: 'bash', version: '4.2.46', release: '34.el7' }],
    ['util-linux-2.32.1-42.el8_8.src.rpm', { name: 'util-linux', version: '2.32.1', release: '42.el8_8' }],
    ['perl-Scalar-List-Utils-1.49-2.el8.src.rpm', { name: 'perl-Scalar-List-Utils', version: '1.49', release: '2.el8' }],
    ['gcc11-11.2.1+git610-1.3.9.src.rpm', { name: 'gcc11', version: '11.2.1+git610', release: '1.3.9' }],
    ['foo-1.0-1.nosrc.rpm', { name: 'foo', version: '1.0', release: '1' }],
  ])('%s', (file, want) => {
    expect(parseSourceRpm(file)).toEqual(want);
  });

  it.each(['bash.src.rpm', 'bash-4.2.src.rpm', '-1-2.src.rpm', 'bash-4.2.46-34.el7.rpm', 'bash--1.src.rpm', `${'a-'.repeat(600)}1-1.src.rpm`])('rejects %s', (file) => {
    expect(parseSourceRpm(file)).toBeUndefined();
  });
});
