/**
 * Corrupt, truncated and hostile rpm databases: each must end in packages plus warning facts, or
 * warning facts alone — never a throw, a hang, or a huge allocation.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRpmDatabase } from '../../src/analysis/analyzers/rpm.js';
import type { Fact, Package, PackagesFact, WarningFact } from '../../src/analysis/types.js';
import { buildBdb, packageHeader } from './rpm-builders.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const rpmDir = path.resolve(repoRoot, '../shared/data/pkgdb/rpm');
const hasData = existsSync(rpmDir);

const packagesOf = (facts: Fact[]) => facts.filter((f): f is PackagesFact => f.kind === 'packages').flatMap((f) => f.packages);
const warningsOf = (facts: Fact[]) => facts.filter((f): f is WarningFact => f.kind === 'warning').map((w) => w.message);
const names = (facts: Fact[]) => packagesOf(facts).map((p) => p.name);

const PATH = 'var/lib/rpm/Packages';
const headers = [
  packageHeader({ name: 'bash', version: '4.2.46', release: '34.el7', arch: 'x86_64', sourceRpm: 'bash-4.2.46-34.el7.src.rpm', license: 'GPLv3+' }),
  // Big enough to need several overflow pages at any page size used here.
  packageHeader({ name: 'glibc', version: '2.17', release: '317.el7', arch: 'x86_64', sourceRpm: 'glibc-2.17-317.el7.src.rpm', license: `LGPLv2+ ${'x'.repeat(9000)}` }),
  packageHeader({ name: 'gpg-pubkey', version: 'f4a80eb5', release: '53a7ff4b' }),
  packageHeader({ name: 'tzdata', version: '2018e', release: '3.el7', epoch: 0, arch: 'noarch', sourceRpm: 'tzdata-2018e-3.el7.src.rpm' }),
];

describe('synthetic BerkeleyDB hash files', () => {
  it.each([
    ['little-endian, 4 KiB pages', { littleEndian: true }],
    ['big-endian, 4 KiB pages', { littleEndian: false }],
    ['little-endian, 512-byte pages', { pageSize: 512 }],
    ['big-endian, 64 KiB pages', { littleEndian: false, pageSize: 65536 }],
  ])('reads %s', (_label, opts) => {
    const facts = parseRpmDatabase(PATH, buildBdb(headers, opts).file);
    expect(warningsOf(facts)).toEqual([]);
    expect(packagesOf(facts).map((p) => [p.name, p.version, p.arch, p.source])).toEqual([
      ['bash', '4.2.46-34.el7', 'x86_64', 'bash'],
      ['glibc', '2.17-317.el7', 'x86_64', 'glibc'],
      ['tzdata', '0:2018e-3.el7', 'noarch', 'tzdata'],
    ]);
  });

  it('reads values stored inline on the hash page', () => {
    const small = [headers[0], headers[3]] as Buffer[];
    expect(names(parseRpmDatabase(PATH, buildBdb(small, { inline: true }).file))).toEqual(['bash', 'tzdata']);
  });

  it('stops an overflow chain that loops back on itself, and keeps the other packages', () => {
    const { file, chains } = buildBdb(headers);
    const glibc = chains[1] as number[];
    expect(glibc.length).toBeGreaterThan(1);
    file.writeUInt32LE(glibc[0] as number, (glibc.at(-1) as number) * 4096 + 16);
    // And claim more bytes than the chain holds (but no more than the file), so only the loop check can end it.
    const facts = parseRpmDatabase(PATH, withValueLength(file, 1, file.length - 1));
    expect(names(facts)).toEqual(['bash', 'tzdata']);
    expect(warningsOf(facts).join('\n')).toMatch(/used twice/);
  });

  it('refuses an overflow page claimed by two values', () => {
    const { file, chains } = buildBdb(headers);
    setValuePage(file, 3, (chains[0] as number[])[0] as number);
    const facts = parseRpmDatabase(PATH, file);
    expect(names(facts)).toEqual(['bash', 'glibc']);
    expect(warningsOf(facts).join('\n')).toMatch(/used twice/);
  });

  it('refuses a value length larger than the file without allocating it', () => {
    const facts = parseRpmDatabase(PATH, withValueLength(buildBdb(headers).file, 0, 0xffffffff));
    expect(names(facts)).toEqual(['glibc', 'tzdata']);
    expect(warningsOf(facts).join('\n')).toMatch(/more than the whole file/);
  });

  it('refuses a hash page whose entry count or item offsets lie', () => {
    const many = buildBdb(headers).file;
    many.writeUInt16LE(0xffff, 4096 + 20);
    expect(warningsOf(parseRpmDatabase(PATH, many)).join('\n')).toMatch(/claims 65535 entries/);

    const inside = buildBdb(headers).file;
    inside.writeUInt16LE(10, 4096 + 26 + 2 * 3); // bash's value item offset into the page header
    const facts = parseRpmDatabase(PATH, inside);
    // An item's end is the previous item's start, so glibc's key goes down with bash's value.
    expect(names(facts)).toEqual(['tzdata']);
    expect(warningsOf(facts).join('\n')).toMatch(/outside its page/);
  });

  it('reports a truncated file and reads what is left', () => {
    const { file } = buildBdb(headers);
    const facts = parseRpmDatabase(PATH, file.subarray(0, file.length - 4096 - 100));
    expect(names(facts)).toEqual(['bash', 'glibc']);
    expect(warningsOf(facts).join('\n')).toMatch(/truncated/);
  });

  it('says so for a btree, an encrypted file, or a bad page size', () => {
    const btree = buildBdb(headers).file;
    btree.writeUInt32LE(0x053162, 12);
    const encrypted = buildBdb(headers).file;
    encrypted[24] = 1;
    const pageSize = buildBdb(headers).file;
    pageSize.writeUInt32LE(1000, 20);
    for (const [file, msg] of [
      [btree, /btree/],
      [encrypted, /encrypted/],
      [pageSize, /page size 1000/],
    ] as const) {
      const facts = parseRpmDatabase(PATH, file);
      expect(packagesOf(facts)).toEqual([]);
      expect(warningsOf(facts).join('\n')).toMatch(msg);
    }
  });
});

describe('files that are not rpm databases', () => {
  it.each([
    ['empty', Buffer.alloc(0)],
    ['text', Buffer.from('Package: bash\nVersion: 5\n')],
    ['zeros', Buffer.alloc(8192)],
  ])('%s: one warning, no packages fact', (_label, content) => {
    const facts = parseRpmDatabase(PATH, content);
    expect(facts).toEqual([{ kind: 'warning', path: PATH, message: expect.stringContaining('not an rpm database') }]);
  });

  it('caps the number of warnings for a database full of bad records', () => {
    const bad = Array.from({ length: 60 }, () => Buffer.from('not a header'));
    const facts = parseRpmDatabase(PATH, buildBdb(bad, { inline: true }).file);
    expect(warningsOf(facts)).toHaveLength(21);
    expect(warningsOf(facts).at(-1)).toMatch(/40 more problems/);
  });
});

describe.skipIf(!hasData)('corrupted real databases', () => {
  const dbs = [
    { name: 'BerkeleyDB (syft)', file: 'syft-dive-bdb/Packages', runs: 300 },
    { name: 'BerkeleyDB (RHEL 8)', file: 'rhel8-libuuid-bdb/Packages', runs: 300 },
    { name: 'BerkeleyDB (Fedora 32)', file: 'fedora32-epoch-bdb/Packages', runs: 300 },
    { name: 'ndb (3 packages)', file: 'suse-ndb-snyk/Packages.db', runs: 300 },
    { name: 'ndb (SLE 15 BCI)', file: 'sle15-bci-ndb/Packages.db', runs: 100 },
    { name: 'SQLite (CBL-Mariner)', file: 'cbl-mariner-2.0/rpmdb.sqlite', runs: 40 },
  ].map((d) => {
    const content = hasData ? readFileSync(path.join(rpmDir, d.file)) : Buffer.alloc(0);
    return { ...d, content, full: hasData ? packagesOf(parseRpmDatabase(PATH, content)) : [] };
  });
  const key = (p: Package) => JSON.stringify(p);

  for (const db of dbs) {
    it(`${db.name}: a truncated copy gives a subset of the packages, and a warning for any it lost`, () => {
      expect(db.full.length).toBeGreaterThan(0);
      const fullKeys = new Set(db.full.map(key));
      fc.assert(
        fc.property(fc.nat(db.content.length - 1), (len) => {
          const facts = parseRpmDatabase(PATH, db.content.subarray(0, len));
          const got = packagesOf(facts);
          for (const p of got) expect(fullKeys.has(key(p))).toBe(true);
          if (got.length < db.full.length) expect(warningsOf(facts).length).toBeGreaterThan(0);
        }),
        { numRuns: db.runs },
      );
    });

    it(`${db.name}: random byte damage never throws and gives well-formed packages`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.nat(db.content.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 24 }), (edits) => {
          const copy = Buffer.from(db.content);
          for (const [at, v] of edits) copy[at] = v;
          for (const p of packagesOf(parseRpmDatabase(PATH, copy))) {
            expect(p.name).not.toBe('');
            expect(p.version).toContain('-');
          }
        }),
        { numRuns: db.runs },
      );
    });
  }

  it('damage aimed at the structures (page headers, slot table, b-tree headers) never throws', () => {
    for (const db of dbs) {
      const pageSize = db.file.endsWith('.sqlite') ? 4096 : db.file.endsWith('.db') ? 16 : 4096;
      fc.assert(
        fc.property(fc.nat(Math.floor(db.content.length / pageSize) - 1), fc.nat(31), fc.integer({ min: 0, max: 255 }), (page, at, v) => {
          const copy = Buffer.from(db.content);
          copy[page * pageSize + at] = v;
          parseRpmDatabase(PATH, copy);
        }),
        { numRuns: db.runs },
      );
    }
  });

  it('SQLite without a Packages table is reported as not an rpm database', () => {
    const copy = Buffer.from(readFileSync(path.join(rpmDir, 'cbl-mariner-2.0/rpmdb.sqlite')));
    // A schema record's values are stored back to back: type, name, tbl_name, rootpage, sql.
    let renamed = 0;
    for (let at = copy.indexOf('tablePackagesPackages'); at !== -1; at = copy.indexOf('tablePackagesPackages', at + 1), renamed++) copy.write('tablePackagezPackagez', at, 'latin1');
    expect(renamed).toBeGreaterThan(0);
    const facts = parseRpmDatabase('var/lib/rpm/rpmdb.sqlite', copy);
    expect(packagesOf(facts)).toEqual([]);
    expect(warningsOf(facts).join('\n')).toMatch(/no Packages table/);
  });

  it('SQLite b-tree that points back at its root: rows before the loop are kept, then a warning', () => {
    const copy = Buffer.from(readFileSync(path.join(rpmDir, 'cbl-mariner-2.0/rpmdb.sqlite')));
    const root = 4096; // page 2, the Packages table's interior root page
    expect(copy[root]).toBe(5);
    copy.writeUInt32BE(2, root + 8);
    const facts = parseRpmDatabase('var/lib/rpm/rpmdb.sqlite', copy);
    const got = packagesOf(facts).length;
    expect(got).toBeGreaterThan(0);
    expect(got).toBeLessThan(129);
    expect(warningsOf(facts).join('\n')).toMatch(/reached twice/);
  });

  it('ndb slot pointing outside the file, or at another package, is skipped with a warning', () => {
    const copy = Buffer.from(readFileSync(path.join(rpmDir, 'suse-ndb-snyk/Packages.db')));
    copy.writeUInt32LE(0x7fffffff, 0x20 + 8); // slot 0 block offset
    copy.writeUInt32LE(copy.readUInt32LE(0x30 + 8) + 1, 0x30 + 8); // slot 1: one block off
    const facts = parseRpmDatabase('usr/lib/sysimage/rpm/Packages.db', copy);
    expect(names(facts)).toEqual(['glibc']);
    expect(warningsOf(facts)).toHaveLength(2);
  });

  it('ndb slots that all point at one blob: read once, the rest refused within the file-size budget', () => {
    const copy = Buffer.from(readFileSync(path.join(rpmDir, 'suse-ndb-snyk/Packages.db')));
    const slot0 = copy.subarray(0x20, 0x30);
    // Slot 1 repeats package 1; slots 3.. claim fresh indexes but package 1's blocks.
    slot0.copy(copy, 0x30);
    for (let s = 5; s < 256; s++) {
      slot0.copy(copy, s * 16);
      copy.writeUInt32LE(1000 + s, s * 16 + 4);
    }
    const facts = parseRpmDatabase('usr/lib/sysimage/rpm/Packages.db', copy);
    expect(names(facts)).toEqual(['system-user-root', 'glibc']);
    const warnings = warningsOf(facts).join('\n');
    expect(warnings).toMatch(/already has a slot/);
    expect(warnings).toMatch(/no blob header for this package/);
    expect(warnings).toMatch(/more blocks than the file holds/);
  });
});

/** Overwrite the total-length field of value `n` (0-based, after the counter record) on hash page 1. */
function withValueLength(file: Buffer, n: number, length: number): Buffer {
  file.writeUInt32LE(length, valueItem(file, n) + 8);
  return file;
}

function setValuePage(file: Buffer, n: number, page: number): void {
  file.writeUInt32LE(page, valueItem(file, n) + 4);
}

/** File offset of value item `n` on the little-endian synthetic hash page 1 (index 2 + 2n + 1). */
function valueItem(file: Buffer, n: number): number {
  return 4096 + file.readUInt16LE(4096 + 26 + 2 * (2 + 2 * n + 1));
}
