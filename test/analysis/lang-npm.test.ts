import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { npmAnalyzer } from '../../src/analysis/analyzers/npm.js';
import { isInstalledPackageJson, isPackageRoot, readNpmManifest } from '../../src/analysis/lang/npm/package-json.js';
import type { Package } from '../../src/analysis/types.js';
import { analyzeWhole, fileEntry, packagesOf, walkFiles, warningsOf } from './lang-helpers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Every package.json below node_modules, relative to the repo (as an image path would be). */
function packageJsons(dir: string, rel: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) packageJsons(full, `${rel}/${e.name}`, out);
    else if (e.isFile() && e.name === 'package.json') out.push(`${rel}/package.json`);
  }
  return out;
}

describe.runIf(existsSync(path.join(repoRoot, 'node_modules')))('npm packages: this repository’s real node_modules against package-lock.json', () => {
  it('every installed package the lockfile lists is found with its name and version', async () => {
    const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; name?: string; link?: boolean }> };
    const found = new Map<string, Package>();
    const files = packageJsons(path.join(repoRoot, 'node_modules'), 'app/node_modules');
    for (const f of files) {
      expect(npmAnalyzer.wants(fileEntry(f, 100)), f).toBe(true);
      const facts = await analyzeWhole(npmAnalyzer, f, readFileSync(path.join(repoRoot, f.slice('app/'.length))));
      for (const p of packagesOf(facts)) found.set(p.path, p);
      // Broken manifests deeper inside packages are fixtures, not warnings; package roots must parse.
      if (isPackageRoot(f)) expect(warningsOf(facts), f).toEqual([]);
    }
    let checked = 0;
    for (const [key, entry] of Object.entries(lock.packages)) {
      if (!key.startsWith('node_modules/') || entry.link || !entry.version) continue;
      if (!existsSync(path.join(repoRoot, key, 'package.json'))) continue; // optional dependency for another platform
      const pkg = found.get(`app/${key}/package.json`);
      const expectedName = entry.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
      expect(pkg && `${pkg.name}@${pkg.version}`, key).toBe(`${expectedName}@${entry.version}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });
});

describe('npm packages: manifests and paths', () => {
  it('wants every package.json below node_modules, and no other', () => {
    const want = (p: string) => npmAnalyzer.wants(fileEntry(p, 100));
    expect(want('usr/lib/node_modules/npm/package.json')).toBe(true);
    expect(want('app/node_modules/@babel/core/package.json')).toBe(true);
    expect(want('app/node_modules/.pnpm/lodash@4.17.21/node_modules/lodash/package.json')).toBe(true);
    expect(want('app/node_modules/resolve/test/resolver/baz/package.json')).toBe(true);
    expect(want('node_modules/x/package.json')).toBe(true);
    expect(want('app/package.json')).toBe(false);
    expect(want('app/node_modules_old/x/package.json')).toBe(false);
    expect(want('app/node_modules/x/package.json.bak')).toBe(false);
    expect(isPackageRoot('app/node_modules/@babel/core/package.json')).toBe(true);
    expect(isPackageRoot('app/node_modules/resolve/test/package.json')).toBe(false);
    expect(isInstalledPackageJson('app/node_modules/x/lib/package.json')).toBe(true);
  });

  it('scoped names go to the purl namespace; licenses in every historical form', async () => {
    const cases: Array<[object, string, string[] | undefined]> = [
      [{ name: '@babel/core', version: '7.24.0', license: 'MIT' }, 'pkg:npm/%40babel/core@7.24.0', ['MIT']],
      [{ name: 'old', version: '0.1.0', license: { type: 'BSD', url: 'x' } }, 'pkg:npm/old@0.1.0', ['BSD']],
      [{ name: 'older', version: '0.0.1', licenses: [{ type: 'MIT' }, { type: 'Apache-2.0' }] }, 'pkg:npm/older@0.0.1', ['MIT', 'Apache-2.0']],
      [{ name: 'none', version: '1.0.0' }, 'pkg:npm/none@1.0.0', undefined],
    ];
    for (const [json, purl, licenses] of cases) {
      const [pkg] = packagesOf(await analyzeWhole(npmAnalyzer, 'node_modules/x/package.json', JSON.stringify(json)));
      expect(pkg?.purl).toBe(purl);
      expect(pkg?.licenses).toEqual(licenses);
    }
  });

  it('markers without name or version are skipped silently; a broken root manifest is a warning', async () => {
    expect(await analyzeWhole(npmAnalyzer, 'node_modules/x/lib/package.json', '{"type":"module"}')).toEqual([]);
    expect(await analyzeWhole(npmAnalyzer, 'node_modules/x/test/fixtures/bad/package.json', '{not json')).toEqual([]);
    const facts = await analyzeWhole(npmAnalyzer, 'node_modules/x/package.json', '\uFEFF{"name": "x", ');
    expect(warningsOf(facts).join()).toMatch(/not a valid package.json/);
    expect(readNpmManifest(Buffer.from('[1,2]'))).toEqual({ status: 'malformed', reason: 'not a JSON object' });
    expect(readNpmManifest(Buffer.from('\uFEFF{"name":"a","version":" 1.0.0 "}'))).toMatchObject({ status: 'ok', manifest: { version: '1.0.0' } });
  });

  it('a layer walk over real manifests copied from node_modules', async () => {
    const files = ['tar-stream', 'yauzl', 'commander'].filter((n) => existsSync(path.join(repoRoot, 'node_modules', n, 'package.json')));
    const { facts, warnings } = await walkFiles(
      files.map((n) => ({ path: `usr/src/app/node_modules/${n}/package.json`, content: readFileSync(path.join(repoRoot, 'node_modules', n, 'package.json')) })),
      [npmAnalyzer],
    );
    expect(warnings).toEqual([]);
    const versions = files.map((n) => `${n}@${(JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', n, 'package.json'), 'utf8')) as { version: string }).version}`);
    expect(packagesOf(facts).map((p) => `${p.name}@${p.version}`).sort()).toEqual(versions.sort());
  });
});
