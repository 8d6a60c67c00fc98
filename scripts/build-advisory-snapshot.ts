/**
 * Builds the bundled advisory snapshot (data/advisories/) from the real feeds in
 * ../shared/data/vulndb: the records relevant to the demo images' packages plus a small slice of
 * each feed, kept in their original formats and bytes (whole files, or whole advisory blocks of
 * the Debian lists), so `tarsier db import data/advisories` goes through the normal import path.
 * It then reads the snapshot back with the project's feed readers and writes SOURCES.md with the
 * provenance, licenses, what was kept, and which demo package each advisory is expected to match.
 *
 *   npx tsx scripts/build-advisory-snapshot.ts [--from DIR] [--out DIR]
 */
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_INVENTORY } from '../src/demo/packages.js';
import { parseDebianList } from '../src/vulndb/debian-list.js';
import { readFeed, readFeedFile } from '../src/vulndb/read-feed.js';
import type { Advisory } from '../src/vulndb/types.js';
import { demoPackages, expectedMatches, type ExpectedMatch } from './lib/demo-matches.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Total size the snapshot must stay under: it is committed and shipped. */
const MAX_TOTAL_BYTES = 3 * 1024 * 1024;
/** Debian advisories issued from this date on are kept whatever their suite (a recent slice). */
const DEBIAN_SLICE_FROM = '2022-01-01';
/** AlmaLinux: the newest advisories per release for these packages (no demo image uses them). */
const ALMA_PACKAGES = new Set(['openssl', 'openssh', 'sudo', 'glibc', 'curl', 'zlib']);
const ALMA_PER_RELEASE = 8;
/** PyPI projects kept whole besides the demo's own: popular web stack, a small slice. */
const PYPI_SLICE = ['flask', 'werkzeug', 'cryptography'];

interface Args {
  from: string;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { from: resolve(REPO, '../shared/data/vulndb'), out: resolve(REPO, 'data/advisories') };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if ((flag === '--from' || flag === '--out') && value) {
      args[flag === '--from' ? 'from' : 'out'] = resolve(value);
      i++;
    } else {
      throw new Error(`usage: build-advisory-snapshot.ts [--from DIR] [--out DIR] (unexpected ${JSON.stringify(flag)})`);
    }
  }
  return args;
}

/** Files under `dir`, relative paths, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)).map((f) => join(entry.name, f)));
    else if (entry.isFile()) out.push(entry.name);
  }
  return out;
}

async function readAll(file: string, format: 'osv' | 'alpine-secdb'): Promise<Advisory[]> {
  const out: Advisory[] = [];
  for await (const a of readFeedFile(file, format, { warn: (m) => console.warn(`warning: ${m}`) })) out.push(a);
  return out;
}

class Snapshot {
  readonly kept = new Map<string, string[]>();

  constructor(
    private readonly from: string,
    private readonly out: string,
  ) {}

  async copy(feed: string, rel: string): Promise<void> {
    const target = join(this.out, rel);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(join(this.from, rel), target);
    this.kept.set(feed, [...(this.kept.get(feed) ?? []), rel]);
  }

  async write(feed: string, rel: string, text: string): Promise<void> {
    const target = join(this.out, rel);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
    this.kept.set(feed, [...(this.kept.get(feed) ?? []), rel]);
  }
}

/** Splits a DSA/DLA list into advisory blocks (header line plus its indented lines), byte for byte. */
function debianBlocks(text: string): string[] {
  const blocks: string[] = [];
  let current = '';
  for (const line of text.split(/(?<=\n)/)) {
    if (line.startsWith('[') && current !== '') {
      blocks.push(current);
      current = '';
    }
    current += line;
  }
  if (current !== '') blocks.push(current);
  return blocks;
}

async function debianList(snap: Snapshot, from: string, rel: string, demoSources: Set<string>): Promise<number> {
  const text = await readFile(join(from, rel), 'utf8');
  const kept: string[] = [];
  for (const block of debianBlocks(text)) {
    const advisories: Advisory[] = [];
    for await (const a of parseDebianList(block.split('\n'), rel)) advisories.push(a);
    const adv = advisories[0];
    if (!adv) continue;
    const buster = adv.affected.some((a) => a.namespace === 'debian:10');
    const demo = adv.affected.some((a) => a.namespace === 'debian:10' && demoSources.has(a.name));
    if (demo || buster || (adv.published ?? '') >= DEBIAN_SLICE_FROM) kept.push(block);
  }
  await snap.write('debian-security-tracker', rel, kept.join(''));
  return kept.length;
}

async function main(): Promise<void> {
  const { from, out } = parseArgs(process.argv.slice(2));
  await stat(join(from, 'SOURCES.md')).catch(() => {
    throw new Error(`${from}: not the shared vulndb folder (no SOURCES.md); pass --from`);
  });
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const snap = new Snapshot(from, out);
  const packages = demoPackages();
  const counts: Record<string, number> = {};

  // Alpine secdb: the demo's branch, both repositories, whole files.
  for (const repo of ['main', 'community']) await snap.copy('alpine-secdb', `alpine-secdb/v3.18/${repo}.json`);

  // Ubuntu: all six USN records (xenial entries for apt, sudo and — Ubuntu Pro — bash).
  for (const f of await filesUnder(join(from, 'ubuntu-osv'))) if (f.endsWith('.json')) await snap.copy('ubuntu-osv', join('ubuntu-osv', f));

  // Debian DSA/DLA: every advisory with a buster line, and every advisory since DEBIAN_SLICE_FROM.
  const debianSources = new Set(DEMO_INVENTORY.debian10.map((p) => p.source ?? p.name));
  for (const list of ['DSA', 'DLA']) counts[list] = await debianList(snap, from, `debian-security-tracker/data/${list}/list`, debianSources);

  // AlmaLinux: a slice (newest advisories for a few core packages per release).
  for (const release of ['almalinux8', 'almalinux9']) {
    const dir = join(from, 'almalinux-osv/advisories', release);
    const chosen: Array<{ file: string; published: string }> = [];
    for (const f of await filesUnder(dir)) {
      const [adv] = await readAll(join(dir, f), 'osv');
      if (adv && adv.affected.some((a) => ALMA_PACKAGES.has(a.name))) chosen.push({ file: f, published: adv.published ?? '' });
    }
    chosen.sort((a, b) => (a.published < b.published ? 1 : a.published > b.published ? -1 : 0));
    for (const c of chosen.slice(0, ALMA_PER_RELEASE)) await snap.copy('almalinux-osv', join('almalinux-osv/advisories', release, c.file));
  }

  // PyPA: every record of the demo's PyPI projects, plus a few popular projects whole.
  const pypiDirs = new Set([...DEMO_INVENTORY.pypi.map((p) => p.name.toLowerCase()), ...PYPI_SLICE]);
  const pypaRoot = join(from, 'pypa-advisory-db/vulns');
  for (const name of [...pypiDirs].sort()) {
    const dir = join(pypaRoot, name);
    const files = await filesUnder(dir).catch(() => [] as string[]);
    for (const f of files) await snap.copy('pypa-advisory-db', join('pypa-advisory-db/vulns', name, f));
  }

  // Go: every record of the demo binary's modules, and the stdlib records that affect its toolchain.
  const goModules = new Set(DEMO_INVENTORY.go.modules.map((m) => m.path));
  const goRoot = join(from, 'go-vulndb/data/osv');
  for (const f of await filesUnder(goRoot)) {
    const [adv] = await readAll(join(goRoot, f), 'osv');
    if (!adv) continue;
    const ofModule = adv.affected.some((a) => goModules.has(a.name));
    const stdlibHit = adv.affected.some((a) => a.name === 'stdlib') && expectedMatches([adv], packages).length > 0;
    if (ofModule || stdlibHit) await snap.copy('go-vulndb', join('go-vulndb/data/osv', f));
  }

  // Read the snapshot back through the normal reader (format detection included).
  const warnings: string[] = [];
  const advisories: Advisory[] = [];
  for await (const a of readFeed(out, { warn: (m) => warnings.push(m) })) advisories.push(a);
  const matches = expectedMatches(advisories, packages);
  const total = (await Promise.all((await filesUnder(out)).map(async (f) => (await stat(join(out, f))).size))).reduce((a, b) => a + b, 0);
  if (total > MAX_TOTAL_BYTES) throw new Error(`snapshot is ${total} bytes, over the ${MAX_TOTAL_BYTES}-byte budget`);
  await writeFile(join(out, 'SOURCES.md'), sourcesMd(snap, counts, advisories, matches, warnings, total));
  console.log(`wrote ${relative(process.cwd(), out) || out}: ${advisories.length} advisories, ${total} bytes, ${matches.length} expected demo matches, ${warnings.length} reader warnings`);
}

// ---------------------------------------------------------------------------------------------

const PROVENANCE: Array<{ folder: string; repo: string; license: string; format: string }> = [
  {
    folder: 'alpine-secdb/',
    repo: '`pschou/oval` @ `f6c0ccb7a8496268cc4e74fbc67660c8b0351293` (2024-12-31), folder `alpine/`',
    license: 'Alpine secdb data (published by Alpine Linux; the mirror asks users to respect the original owners\' terms)',
    format: 'Alpine secdb JSON (same schema as secdb.alpinelinux.org)',
  },
  {
    folder: 'ubuntu-osv/',
    repo: '`canonical/ubuntu-security-notices`, path `osv/usn/` — commits `0a39a95454c94ee3342e9a3418231e3e83385faa` (USN-3863-1, 4667-1, 5355-1, 5380-1) and `03f64e4bf926333b961b3c72c3744fd14ba4dcbe` (USN-4705-1, 5328-1); re-emitted with `json.dumps(indent=2)` by the shared-data gatherer (character counts equal the originals)',
    license: 'Ubuntu security notices data (Canonical; public)',
    format: 'OSV 1.7.0 JSON',
  },
  {
    folder: 'debian-security-tracker/',
    repo: '`CVEDB/security-tracker` @ `32127b7f220cd2d9fd9d0a5bb4affaa90a079ad9` (2023-04-02), a GitHub mirror of salsa.debian.org/security-tracker-team/security-tracker',
    license: 'Debian security tracker data (public; the mirror has no LICENSE file)',
    format: 'Debian security-tracker `data/DSA/list`, `data/DLA/list` text',
  },
  {
    folder: 'almalinux-osv/',
    repo: '`AlmaLinux/osv-database` @ `948f47aa6b88c2f76af1ae8e75cf3da9aeaf4a6c` (2026-08-21)',
    license: 'MIT',
    format: 'OSV JSON (`AlmaLinux:8`, `AlmaLinux:9`)',
  },
  {
    folder: 'pypa-advisory-db/',
    repo: '`pypa/advisory-database` @ `3ccb612573e2511ab5cad7dafecd838605c80cda` (2024-10-10)',
    license: 'CC-BY-4.0',
    format: 'OSV in YAML (`PyPI`)',
  },
  {
    folder: 'go-vulndb/',
    repo: '`golang/vulndb` @ `a752ea54fd1b989d208a270aeef772f55a36b87a` (2026-08-21); `modified` is `0001-01-01T00:00:00Z` in the repository copy',
    license: 'database entries CC-BY-4.0 (code BSD-3)',
    format: 'OSV JSON (`Go`)',
  },
];

function sourcesMd(snap: Snapshot, counts: Record<string, number>, advisories: Advisory[], matches: ExpectedMatch[], warnings: string[], total: number): string {
  const bySource = new Map<string, number>();
  for (const a of advisories) bySource.set(a.source, (bySource.get(a.source) ?? 0) + 1);
  const files = (feed: string): number => snap.kept.get(feed)?.length ?? 0;
  const lines: string[] = [
    '# Bundled advisory snapshot',
    '',
    'A small snapshot of real advisory feeds, in their original formats, for the demo (`npm start`) and',
    'for tests. Import it with `tarsier db import data/advisories`. It is a point-in-time extract: never',
    'use it to judge real images — run `tarsier db update` against the live feeds for that.',
    '',
    'Generated by `npx tsx scripts/build-advisory-snapshot.ts` from the shared feed copies',
    '(`../shared/data/vulndb`, gathered 2026-11-23). Every file is the source file byte for byte,',
    'except the two Debian lists, which keep whole advisory blocks (byte for byte) of the original',
    'lists and drop the others.',
    '',
    '## Provenance and licenses',
    '',
    '| folder | source repository @ commit | format | license | kept |',
    '|---|---|---|---|---|',
  ];
  const kept: Record<string, string> = {
    'alpine-secdb/': `v3.18 \`main.json\` and \`community.json\`, whole (${files('alpine-secdb')} files)`,
    'ubuntu-osv/': `all ${files('ubuntu-osv')} USN records of the shared copy`,
    'debian-security-tracker/': `${counts.DSA ?? 0} DSA and ${counts.DLA ?? 0} DLA advisories: every one with a \`[buster]\` line, and every one issued since ${DEBIAN_SLICE_FROM}`,
    'almalinux-osv/': `${files('almalinux-osv')} records: the ${ALMA_PER_RELEASE} newest per release (8, 9) for ${[...ALMA_PACKAGES].join(', ')}`,
    'pypa-advisory-db/': `${files('pypa-advisory-db')} records: every record of the demo's PyPI projects and of ${PYPI_SLICE.join(', ')}`,
    'go-vulndb/': `${files('go-vulndb')} records: every record of the demo binary's modules, and the stdlib records affecting ${DEMO_INVENTORY.go.goVersion}`,
  };
  for (const p of PROVENANCE) lines.push(`| \`${p.folder}\` | ${p.repo} | ${p.format} | ${p.license} | ${kept[p.folder] ?? ''} |`);
  lines.push(
    '',
    `Read back with the project's readers: ${advisories.length} advisories (${[...bySource].sort().map(([s, n]) => `${s} ${n}`).join(', ')}), ${total} bytes in all, ${warnings.length} reader warnings.`,
    '',
    '## What the demo images are expected to match',
    '',
    'Computed by `scripts/lib/demo-matches.ts` from the feeds\' own rules (Debian, Ubuntu and Alpine by',
    'source package and the distribution\'s version order; PyPI and Go by OSV ranges), independently of',
    'the scanner. Versions are the installed ones in `src/demo/packages.ts`. Not covered by any bundled',
    'feed: `demo/centos:7` and `demo/euleros:2.0` (no RHEL 7 / EulerOS feed; their images also carry no',
    'rpm database) and the npm packages of `demo/alpine:3.18` (no npm feed). Ubuntu 16.04\'s `bash` fix',
    'exists only in Ubuntu Pro (namespace `ubuntu-pro:16.04`).',
    '',
  );
  const images = [...new Set(matches.map((m) => m.image))].sort();
  for (const image of images) {
    const ofImage = matches.filter((m) => m.image === image);
    lines.push(`### ${image} — ${ofImage.length} matches`, '', '| package | installed | advisory | fixes | fixed in |', '|---|---|---|---|---|');
    for (const m of ofImage) lines.push(`| ${m.packageName} | ${m.installedVersion} | ${m.advisory} | ${m.ids.slice(0, 6).join(' ')}${m.ids.length > 6 ? ' …' : ''} | ${m.fixedVersion ?? '(not fixed)'} |`);
    lines.push('');
  }
  if (warnings.length) lines.push('## Reader warnings', '', ...warnings.map((w) => `- ${w.replace(/^.*?data\/advisories\//, '')}`), '');
  return `${lines.join('\n')}`;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
