/**
 * `tarsier scan` as a user runs it, on generated archives: the report formats' shapes, exit
 * codes, one-line errors, and the cache flags. The CLI runs from source (test/helpers/run-cli.ts).
 */
import { existsSync } from 'node:fs';
import { cp, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildImage,
  DEBIAN12_OS_RELEASE,
  REPO_ROOT,
  removeDir,
  sha256,
  sharedText,
  tempDir,
  writeRawOciLayout,
  type BuiltImage,
} from '../helpers/image-fixtures.js';
import { runProcess, type ProcessResult } from '../e2e/process.js';
import { tarEnd, tarHeader } from '../helpers/raw-tar.js';

type Run = ProcessResult;

/**
 * How to start the CLI: the built `bin/tarsier.js` when dist/ is newer than every source file
 * (CI builds it in `npm ci`). Otherwise the sources are transpiled file by file with esbuild (what
 * tsx uses; ~0.2 s) into a mirror of the repo under node_modules/.cache, so each start is plain
 * node rather than ~2 s of tsx, and import.meta.url-relative reads still find their files.
 */
async function cliCommand(): Promise<string[]> {
  const sources = (await readdir(join(REPO_ROOT, 'src'), { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  const built = await stat(join(REPO_ROOT, 'dist/cli/main.js')).catch(() => null);
  if (built) {
    const times = await Promise.all(sources.filter((f) => f.endsWith('.ts')).map((f) => stat(f).then((st) => st.mtimeMs)));
    if (Math.max(...times) <= built.mtimeMs) return [join(REPO_ROOT, 'bin/tarsier.js')];
  }
  mirror = join(REPO_ROOT, 'node_modules/.cache/tarsier-cli-test', String(process.pid));
  const entryPoints = [...sources.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), join(REPO_ROOT, 'test/helpers/run-cli.ts')];
  await build({ entryPoints, outbase: REPO_ROOT, outdir: mirror, bundle: false, format: 'esm', platform: 'node', target: 'node20', logLevel: 'error' });
  for (const f of sources.filter((f) => !f.endsWith('.ts'))) await cp(f, join(mirror, relative(REPO_ROOT, f)));
  await cp(join(REPO_ROOT, 'package.json'), join(mirror, 'package.json'));
  return [join(mirror, 'test/helpers/run-cli.js')];
}

let mirror: string | undefined;
let command: string[];

function tarsier(...args: string[]): Promise<Run> {
  return runProcess(process.execPath, [...command, ...args], { cwd: REPO_ROOT, env: { ...process.env, TARSIER_DEBUG: '' } });
}

/** stderr without `warning: …` lines (e.g. "no advisory database" on a machine without one). */
function nonWarnings(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l !== '' && !l.startsWith('warning: '));
}

/** A failed run: exit 2, exactly one error line on stderr, no stack trace, nothing on stdout. */
function expectOneLineError(run: Run, ...fragments: string[]): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  const lines = nonWarnings(run.stderr);
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^tarsier: /);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  for (const f of fragments) expect(lines[0]).toContain(f);
}

const DESIGN_TOP_LEVEL_KEYS = ['schemaVersion', 'artifact', 'os', 'packages', 'vulnerabilities', 'sensitive', 'baseline', 'buildRisks'];

let tmp: string;
let img: BuiltImage;
let cacheDir: string;
let json: { report: Record<string, unknown>; run: Run };
let runs: { cyclonedx: Run; sarif: Run; table: Run };

beforeAll(async () => {
  tmp = await tempDir('tarsier-cli-');
  cacheDir = join(tmp, 'cache');
  img = await buildImage(
    'docker-archive',
    {
      layers: [
        {
          entries: [
            { path: 'usr/lib/os-release', content: DEBIAN12_OS_RELEASE() },
            { path: 'etc/os-release', type: 'symlink', linkTarget: '../usr/lib/os-release' },
            // The real bookworm package db: packages appear here as soon as the dpkg analyzer is registered.
            { path: 'var/lib/dpkg/status', content: sharedText('pkgdb/dpkg/debian12-bookworm-minbase/var/lib/dpkg/status') },
          ],
        },
        { createdBy: 'RUN echo hello > /srv/hello', entries: [{ path: 'srv/hello', content: 'hello\n' }] },
      ],
      emptyHistory: [{ after: 1, createdBy: 'CMD ["sh"]' }],
    },
    tmp,
    'cli-image',
  );
  command = await cliCommand();
  // Fill the cache first, then run the other formats side by side (each CLI start costs ~0.5–2 s).
  const run = await tarsier('scan', '--format', 'json', '--cache-dir', cacheDir, img.ref);
  json = { report: JSON.parse(run.stdout) as Record<string, unknown>, run };
  const [cyclonedx, sarif, table] = await Promise.all(['cyclonedx', 'sarif', 'table'].map((f) => tarsier('scan', '--format', f, '--cache-dir', cacheDir, img.ref)));
  runs = { cyclonedx: cyclonedx as Run, sarif: sarif as Run, table: table as Run };
});
afterAll(async () => {
  await removeDir(tmp);
  await removeDir(mirror);
});

describe('tarsier scan output formats', () => {
  it('--format json has exactly the DESIGN.md top-level keys, and no progress on stderr', () => {
    expect(json.run.code, json.run.stderr).toBe(0);
    // No progress when stdout is a machine format and stderr is not a terminal: warnings at most.
    expect(nonWarnings(json.run.stderr)).toEqual([]);
    expect(json.run.stderr.includes('\r') || json.run.stderr.includes('\u001b[')).toBe(false);
    const r = json.report;
    expect(Object.keys(r).sort()).toEqual([...DESIGN_TOP_LEVEL_KEYS].sort());
    expect(r.schemaVersion).toBe(1);
    const artifact = r.artifact as { ref: string; type: string; digest: string; configDigest: string; size: number; layers: Array<Record<string, unknown>> };
    expect(Object.keys(artifact).sort()).toEqual(['configDigest', 'digest', 'layers', 'ref', 'size', 'type']);
    expect(artifact).toMatchObject({ ref: img.ref, type: 'docker-archive', configDigest: img.image.config.digest });
    expect(artifact.layers.map((l) => l.diffId)).toEqual(img.image.layers.map((l) => l.diffId));
    expect(artifact.layers[1]).toMatchObject({ createdBy: 'RUN echo hello > /srv/hello' });
    for (const l of artifact.layers) expect(Object.keys(l).every((k) => ['digest', 'diffId', 'size', 'createdBy'].includes(k))).toBe(true);
    expect(r.os).toEqual({ family: 'debian', name: 'Debian GNU/Linux', version: '12' });
    for (const k of ['vulnerabilities', 'sensitive', 'baseline', 'buildRisks', 'packages']) expect(Array.isArray(r[k]), k).toBe(true);
    for (const p of r.packages as Array<Record<string, unknown>>) {
      for (const k of ['type', 'name', 'version', 'layerDiffId', 'path', 'purl']) expect(p, k).toHaveProperty(k);
      expect(p.layerDiffId).toBe(img.image.layers[0]?.diffId);
    }
  });

  it('--format cyclonedx is a CycloneDX 1.5 SBOM whose components are the OS and every package', () => {
    const run = runs.cyclonedx;
    expect(run.code, run.stderr).toBe(0);
    const bom = JSON.parse(run.stdout) as {
      bomFormat: string;
      specVersion: string;
      serialNumber: string;
      version: number;
      metadata: { component: { type: string; name: string; 'bom-ref': string } };
      components: Array<{ type: string; 'bom-ref': string; name: string; version: string; purl?: string }>;
      dependencies: Array<{ ref: string; dependsOn: string[] }>;
    };
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1 });
    expect(bom.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(bom.metadata.component).toMatchObject({ type: 'container', name: img.ref });
    expect(bom.components[0]).toMatchObject({ type: 'operating-system', name: 'debian', version: '12' });
    const packages = json.report.packages as Array<{ purl: string }>;
    expect(bom.components).toHaveLength(packages.length + 1);
    expect(bom.components.slice(1).map((c) => c.purl)).toEqual(packages.map((p) => p.purl));
    const refs = bom.components.map((c) => c['bom-ref']);
    expect(new Set(refs).size).toBe(refs.length);
    expect(bom.dependencies).toEqual([{ ref: bom.metadata.component['bom-ref'], dependsOn: refs }]);
  });

  it('--format sarif has the SARIF 2.1.0 shape', () => {
    const run = runs.sarif;
    expect(run.code, run.stderr).toBe(0);
    const sarif = JSON.parse(run.stdout) as {
      $schema: string;
      version: string;
      runs: Array<{ tool: { driver: { name: string; version: string; rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; level: string; message: { text: string } }> }>;
    };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    expect(sarif.runs).toHaveLength(1);
    const driver = sarif.runs[0]?.tool.driver;
    expect(driver?.name).toBe('Tarsier');
    expect(driver?.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Array.isArray(driver?.rules)).toBe(true);
    const ruleIds = new Set(driver?.rules.map((r) => r.id));
    for (const res of sarif.runs[0]?.results ?? []) {
      expect(ruleIds.has(res.ruleId)).toBe(true);
      expect(['error', 'warning', 'note']).toContain(res.level);
    }
  });

  // Header lines (full digest, long refs) are cut to the width like table cells.
  it('--format table fits an 80-column terminal', () => {
    const run = runs.table;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Debian GNU/Linux 12');
    for (const line of run.stdout.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
  });

  it('--format table names the image, OS and layers; --output writes the report to a file', async () => {
    const out = join(tmp, 'report.txt');
    const run = await tarsier('scan', '--format', 'table', '--output', out, '--cache-dir', cacheDir, img.ref);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    const text = await readFile(out, 'utf8');
    expect(text).toContain(`Image:     ${img.ref}`);
    expect(text).toContain('OS:        Debian GNU/Linux 12');
    expect(text).toMatch(/Layers:\s+2 /);
  });
});

describe('tarsier scan errors and flags', () => {
  it('a bad reference exits 2 with one line naming it', async () => {
    const missing = join(tmp, 'no-such-image.tar');
    const [a, b, c] = await Promise.all([
      tarsier('scan', missing),
      tarsier('scan', `oci:${join(tmp, 'nope')}`),
      tarsier('scan', '--no-cache', `docker-archive:${img.path}:other/repo:1`),
    ]);
    expectOneLineError(a as Run, missing);
    expectOneLineError(b as Run, 'nope');
    expectOneLineError(c as Run, img.path, 'other/repo:1');
  });

  it('bad flags exit 2 with one line naming the flag', async () => {
    const [format, size] = await Promise.all([tarsier('scan', '--format', 'xml', img.ref), tarsier('scan', '--max-layer-size', 'lots', img.ref)]);
    expectOneLineError(format as Run, '--format', 'xml');
    expectOneLineError(size as Run, '--max-layer-size');
  });

  it('a limit hit inside a gzip bomb exits 2 with one line, no crash', async () => {
    const size = 64 * 2 ** 20;
    const zeros = gzipSync(Buffer.alloc(2 ** 20));
    // Under usr/share/doc, which no analyzer reads: the bomb's bytes are skipped, not consumed.
    const blob = Buffer.concat([gzipSync(tarHeader('usr/share/doc/bomb/copyright', { size })), ...Array.from({ length: 64 }, () => zeros), gzipSync(tarEnd())]);
    const bomb = await writeRawOciLayout(join(tmp, 'bomb'), { layers: [{ blob, diffId: sha256('bomb') }] });
    expectOneLineError(await tarsier('scan', '--no-cache', '--max-layer-size', '8MiB', bomb.ref), bomb.ref, 'layer 1', `${8 * 2 ** 20}-byte layer limit`);
  });

  it('--no-cache neither creates nor fills the cache dir; --cache-dir is used otherwise', async () => {
    const unused = join(tmp, 'unused-cache');
    const run = await tarsier('scan', '--no-cache', '--cache-dir', unused, '--format', 'json', img.ref);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(unused)).toBe(false);
    // The beforeAll scan filled cacheDir: one entry per layer and analyzer.
    const layers = await readdir(join(cacheDir, 'layers'));
    expect(layers.sort()).toEqual(img.image.layers.map((l) => l.diffId.replace(':', '-')).sort());
  });
});
