/**
 * The fast import paths keep data exact: records travel joined by U+001E and aliases as array
 * literals, so values holding quotes, backslashes, braces, commas, newlines and the separator itself
 * must come back unchanged; and OSV YAML read with js-yaml must not let YAML aliases expand a small
 * document into a huge one (such documents go to the `yaml` parser and its alias cap).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/open-store.js';
import { advisoriesFor, importSource, sourceStatus } from '../../src/vulndb/advisory-store.js';
import { readFeed } from '../../src/vulndb/read-feed.js';
import type { Advisory } from '../../src/vulndb/types.js';
import { backends } from '../helpers/stores.js';

const nasty = 'q"uote \\back\\slash {brace} [x], comma, new\nline tab\there \u001e sep \u001f unit ünï 🐈';

function advisory(id: string, over: Partial<Advisory> = {}): Advisory {
  return {
    id,
    aliases: [],
    source: 'test',
    affected: [{ namespace: 'debian:12', name: 'openssl', nameKind: 'source', scheme: 'dpkg', ranges: [{ fixed: '3.0.11-1~deb12u1' }], status: 'fixed' }],
    ...over,
  };
}

describe.each(backends)('import encoding on $name', (backend) => {
  let handle: Awaited<ReturnType<typeof backend.create>>;
  let store: Store;
  beforeAll(async () => {
    handle = await backend.create();
    store = handle.store;
  });
  afterAll(async () => handle?.dispose());

  it('stores records, ids and aliases with every awkward character exactly', async () => {
    const records = [
      advisory(`CVE-2024-0001 ${nasty}`, { aliases: [nasty, 'GHSA-"x"', '\\', '', 'NULL'], covers: ['DSA-1-1', nasty], title: nasty, description: nasty }),
      advisory('CVE-2024-0002', { affected: [{ namespace: 'pypi', name: nasty, nameKind: 'binary', scheme: 'pep440', ranges: [], status: 'affected' }] }),
      advisory('CVE-2024-0003'),
    ];
    expect(await importSource(store, { id: 'enc', format: 'osv', location: 'mem' }, records)).toBe(3);
    const openssl = await advisoriesFor(store, [{ namespace: 'debian:12', name: 'openssl' }]);
    expect(openssl.sort((a, b) => a.id.localeCompare(b.id))).toEqual([records[0], records[2]]);
    expect(await advisoriesFor(store, [{ namespace: 'pypi', name: nasty }])).toEqual([records[1]]);
    // aliases column: aliases and covered ids, deduplicated, each element intact
    const rows = await store.query<{ aliases: string[] }>(`SELECT aliases FROM advisories WHERE source_id = 'enc' ORDER BY id`);
    expect(rows[0]!.aliases).toEqual([nasty, 'GHSA-"x"', '\\', '', 'NULL', 'DSA-1-1']);
    expect(rows[1]!.aliases).toEqual([]);
  });

  it('imports more than one batch in order, and an importer error rolls the whole source back', async () => {
    const many = Array.from({ length: 12_345 }, (_, i) => advisory(`CVE-2030-${String(i).padStart(5, '0')}`, { affected: [{ namespace: 'alpine:3.18', name: `pkg${i % 97}`, nameKind: 'source', scheme: 'apk', ranges: [{ fixed: `1.${i}-r0` }], status: 'fixed' }] }));
    expect(await importSource(store, { id: 'many', format: 'alpine-secdb', location: 'mem' }, many)).toBe(many.length);
    const pkg5 = await advisoriesFor(store, [{ namespace: 'alpine:3.18', name: 'pkg5' }]);
    expect(pkg5.map((a) => a.id).sort()).toEqual(many.filter((_, i) => i % 97 === 5).map((a) => a.id));
    const keys = await store.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM advisory_packages p JOIN advisories a ON a.pk = p.advisory_pk WHERE a.source_id = 'many'`);
    expect(keys[0]!.n).toBe(many.length);
    async function* failsLate(): AsyncGenerator<Advisory> {
      yield* many.slice(0, 11_000);
      throw new Error('feed truncated');
    }
    await expect(importSource(store, { id: 'many', format: 'alpine-secdb', location: 'v2' }, failsLate())).rejects.toThrow(/feed truncated/);
    expect((await sourceStatus(store)).find((s) => s.id === 'many')).toMatchObject({ location: 'mem', records: many.length });
    expect((await advisoriesFor(store, [{ namespace: 'alpine:3.18', name: 'pkg5' }])).length).toBe(pkg5.length);
    // the other source was never touched
    expect((await sourceStatus(store)).find((s) => s.id === 'enc')?.records).toBe(3);
  });
});

describe('OSV YAML', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tarsier-yaml-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function read(name: string, text: string): Promise<{ ids: string[]; warnings: string[]; advisories: Advisory[] }> {
    const file = join(dir, name);
    writeFileSync(file, text);
    const warnings: string[] = [];
    const advisories: Advisory[] = [];
    for await (const a of readFeed(file, { warn: (m) => warnings.push(m) })) advisories.push(a);
    return { ids: advisories.map((a) => a.id), warnings, advisories };
  }

  const record = (id: string, extra = '') => `id: ${id}
modified: 2024-01-02T03:04:05Z
aliases: [CVE-2024-1234]
affected:
- package: {name: Flask, ecosystem: PyPI}
  ranges:
  - type: ECOSYSTEM
    events:
    - introduced: '0'
    - fixed: 2.3.2
  versions: ['0.1', 0.10.1, '2.0']
${extra}`;

  it('reads plain scalars as YAML 1.2 does: dates and dotted versions stay strings', async () => {
    const { advisories, warnings } = await read('PYSEC-2024-1.yaml', record('PYSEC-2024-1'));
    expect(warnings).toEqual([]);
    expect(advisories).toHaveLength(1);
    expect(advisories[0]).toMatchObject({ id: 'PYSEC-2024-1', aliases: ['CVE-2024-1234'], modified: '2024-01-02T03:04:05Z' });
    expect(advisories[0]!.affected[0]).toMatchObject({ namespace: 'pypi', name: 'flask', versions: ['0.1', '0.10.1', '2.0'] });
  });

  it('a document with a harmless anchor is still read (through the capped parser)', async () => {
    const text = `id: PYSEC-2024-2
aliases: &ids [CVE-2024-2]
related: *ids
affected:
- package: {name: requests, ecosystem: PyPI}
  ranges: [{type: ECOSYSTEM, events: [{introduced: '0'}, {fixed: 2.31.0}]}]
`;
    const { ids, warnings } = await read('PYSEC-2024-2.yaml', text);
    expect(warnings).toEqual([]);
    expect(ids).toEqual(['PYSEC-2024-2']);
  });

  it('an alias bomb is refused with a warning, quickly and without expanding', async () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const text = `${levels.join('\n')}\nid: PYSEC-2024-3\naffected: [{package: {name: x, ecosystem: PyPI}, versions: *i}]\n`;
    // In a folder the bad file is skipped with a warning; given alone it fails the import (the
    // source must not be replaced by nothing) — both without expanding the aliases.
    const folder = join(dir, 'bomb');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'PYSEC-2024-3.yaml'), text);
    const started = Date.now();
    const warnings: string[] = [];
    const ids: string[] = [];
    for await (const a of readFeed(folder, { warn: (m) => warnings.push(m) })) ids.push(a.id);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(ids).toEqual([]);
    expect(warnings.join('\n')).toMatch(/PYSEC-2024-3\.yaml: not valid YAML .*alias/i);
    await expect(read('PYSEC-2024-3.yaml', text)).rejects.toThrow(/not valid YAML .*alias/i);
  });
});
