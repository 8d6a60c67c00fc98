import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonAnalyzer } from '../../src/analysis/analyzers/python.js';
import { readCoreMetadata } from '../../src/analysis/lang/python/core-metadata.js';
import { analyzeWhole, fileEntry, ids, packagesOf, walkFiles, warningsOf } from './lang-helpers.js';

/** Real installs on this machine: pip's (wheels: dist-info) and Debian's (egg-info dirs and files, dist-info). */
const SITE_DIRS = [
  execFileSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).trim(),
  '/usr/lib/python3/dist-packages',
].filter((d) => existsSync(d));

/** The oracle: Python's own importlib.metadata reading the same directory. */
function distributionsByPython(dir: string): string[] {
  const script = 'import importlib.metadata as m, json, sys\nprint(json.dumps([[d.metadata["Name"], d.version] for d in m.distributions(path=[sys.argv[1]]) if d.metadata["Name"]]))';
  const rows = JSON.parse(execFileSync('python3', ['-c', script, dir], { encoding: 'utf8' })) as Array<[string, string]>;
  return rows.map(([n, v]) => `${n}@${v}`).sort();
}

/** The metadata files the analyzer wants, as the image walker would offer them. */
function metadataFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (name.endsWith('.dist-info') && existsSync(path.join(full, 'METADATA'))) out.push(path.join(full, 'METADATA'));
    else if (name.endsWith('.egg-info') && statSync(full).isDirectory() && existsSync(path.join(full, 'PKG-INFO'))) out.push(path.join(full, 'PKG-INFO'));
    else if (name.endsWith('.egg-info') && statSync(full).isFile()) out.push(full);
  }
  return out;
}

describe('python packages: real site-packages against importlib.metadata', () => {
  for (const dir of SITE_DIRS) {
    it(`every distribution in ${dir}`, async () => {
      const files = metadataFiles(dir);
      for (const f of files) expect(pythonAnalyzer.wants(fileEntry(f.slice(1), 1)), f).toBe(true);
      const found = [];
      for (const f of files) {
        const facts = await analyzeWhole(pythonAnalyzer, f.slice(1), readFileSync(f));
        expect(warningsOf(facts), f).toEqual([]);
        found.push(...packagesOf(facts));
      }
      expect(ids(found)).toEqual(distributionsByPython(dir));
      expect(found.length).toBeGreaterThan(5);
      for (const p of found) expect(p.purl).toBe(`pkg:pypi/${p.name.toLowerCase().replace(/[-_.]+/g, '-')}@${p.version.replace(/\+/g, '%2B')}`);
    });
  }
});

describe('python packages: metadata forms', () => {
  it('the wanted paths: wheel, egg-info dir, egg-info file, egg', () => {
    const want = (p: string) => pythonAnalyzer.wants(fileEntry(p, 100));
    expect(want('usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA')).toBe(true);
    expect(want('usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO')).toBe(true);
    expect(want('usr/lib/python3/dist-packages/python_apt-2.6.0.egg-info')).toBe(true);
    expect(want('opt/venv/lib/python3.9/site-packages/foo-1.0-py3.9.egg/EGG-INFO/PKG-INFO')).toBe(true);
    expect(want('usr/lib/python3/dist-packages/requests-2.31.0.dist-info/RECORD')).toBe(false);
    expect(want('srv/app/METADATA')).toBe(false);
  });

  it('licenses: SPDX expression first, then a short License field, then classifiers', () => {
    const lic = (headers: string) => {
      const read = readCoreMetadata(Buffer.from(`Metadata-Version: 2.1\nName: x\nVersion: 1\n${headers}\n\nbody text: License: nope\n`));
      return read.status === 'ok' ? read.dist.licenses : null;
    };
    expect(lic('License-Expression: MIT OR Apache-2.0\nLicense: BSD')).toEqual(['MIT OR Apache-2.0']);
    expect(lic('License: BSD-3-Clause')).toEqual(['BSD-3-Clause']);
    expect(lic('License: Copyright (c) 2020\n        Permission is hereby granted\nClassifier: License :: OSI Approved :: MIT License')).toEqual(['MIT License']);
    expect(lic('License: UNKNOWN\nClassifier: License :: OSI Approved')).toEqual([]);
  });

  it('metadata without a name or version is a warning, not a package', async () => {
    const facts = await analyzeWhole(pythonAnalyzer, 'x/broken-1.0.dist-info/METADATA', 'Metadata-Version: 2.1\nVersion: 1.0\n');
    expect(packagesOf(facts)).toEqual([]);
    expect(warningsOf(facts).join()).toMatch(/no Name field/);
  });

  it('a layer walk finds all three install forms', async () => {
    const meta = (n: string, v: string) => `Metadata-Version: 2.1\nName: ${n}\nVersion: ${v}\nSummary: s\n\nLong description\n`;
    const { facts, warnings } = await walkFiles(
      [
        { path: 'usr/local/lib/python3.12/site-packages/Flask_Login-0.6.3.dist-info/METADATA', content: meta('Flask-Login', '0.6.3') },
        { path: 'usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO', content: meta('six', '1.16.0') },
        { path: 'usr/lib/python3/dist-packages/chardet-5.1.0.egg-info', content: meta('chardet', '5.1.0') },
        { path: 'usr/lib/python3/dist-packages/six-1.16.0.egg-info/top_level.txt', content: 'six\n' },
      ],
      [pythonAnalyzer],
    );
    expect(warnings).toEqual([]);
    const pkgs = packagesOf(facts);
    expect(ids(pkgs)).toEqual(['Flask-Login@0.6.3', 'chardet@5.1.0', 'six@1.16.0']);
    expect(pkgs.find((p) => p.name === 'Flask-Login')?.purl).toBe('pkg:pypi/flask-login@0.6.3');
  });
});
