/**
 * The stock root filesystems in data/rootfs: the demo's loader reads every release with the modes,
 * owners, symlinks and markers its meta.json states, agrees entry for entry with what the baseline
 * tests lay from the same directory, and refuses a malformed tree with a message naming the file.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootfsEntries } from '../../src/demo/build-steps.js';
import { loadStockRootfs, readStockRootfs, STOCK_RELEASES, stockRootfsDir } from '../../src/demo/rootfs/stock.js';
import { fixtureEntries } from '../detect/baseline-fixture.js';
import { removeDir, tempDir } from '../helpers/image-fixtures.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe.each(STOCK_RELEASES)('data/rootfs/%s', (release) => {
  it('is part of what the package ships', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    const rel = relative(ROOT, stockRootfsDir(release)).split('\\').join('/');
    expect(rel).toBe(`data/rootfs/${release}`);
    expect(pkg.files).toContain('data');
  });

  it('gives the demo the entries the baseline tests evaluate', () => {
    const norm = (e: { path: string; type?: string; content?: string | unknown; mode?: number; uid?: number; gid?: number; target?: string; linkTarget?: string }) =>
      `${e.type ?? 'file'} ${e.path} ${(e.mode ?? -1).toString(8)} ${e.uid ?? 0}:${e.gid ?? 0} ${e.target ?? e.linkTarget ?? ''} ${typeof e.content === 'string' ? JSON.stringify(e.content) : ''}`;
    const demo = rootfsEntries(loadStockRootfs(release)).map(norm).sort();
    const tests = fixtureEntries(`${release}/stock`).entries.map(norm).sort();
    expect(demo).toEqual(tests);
  });

  it('states the owners the baseline checks read', () => {
    const rootfs = loadStockRootfs(release);
    const shadow = rootfs.files.find((f) => f.path === 'etc/shadow');
    expect(shadow && [shadow.mode, shadow.uid]).toEqual(release === 'centos7' || release === 'euleros' ? [0, 0] : [0o640, 0]);
    expect(rootfs.dirs.find((d) => d.path === 'tmp')?.mode).toBe(0o1777);
    expect(rootfs.markers.find((m) => m.path === 'usr/bin/passwd')?.mode).toBe(0o4755);
    expect(rootfs.symlinks).toContainEqual({ path: 'etc/sysctl.d/99-sysctl.conf', target: '../sysctl.conf' });
    expect(loadStockRootfs(release)).toBe(rootfs); // read once per process
  });
});

describe('a malformed tree', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('tarsier-stock-rootfs-');
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  function tree(name: string, meta: unknown, files: Record<string, string> = { 'etc/os-release': 'ID=test\n' }): string {
    const root = join(dir, name);
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(root, 'files', path, '..'), { recursive: true });
      writeFileSync(join(root, 'files', path), content);
    }
    if (meta !== undefined) writeFileSync(join(root, 'meta.json'), typeof meta === 'string' ? meta : JSON.stringify(meta));
    return root;
  }

  it('reads a minimal one with default owners', () => {
    expect(readStockRootfs(tree('ok', {})).files).toEqual([{ path: 'etc/os-release', content: 'ID=test\n', mode: 0o644, uid: 0, gid: 0 }]);
  });

  it('without meta.json says where the data directory should be', () => {
    const root = tree('no-meta', undefined);
    expect(() => readStockRootfs(root)).toThrow(`stock rootfs metadata ${join(root, 'meta.json')} cannot be read (ENOENT); is the package's data/ directory installed?`);
  });

  it('names the file and key of a bad owner', () => {
    const root = tree('bad-mode', { modes: { 'etc/os-release': ['644', 0] } });
    expect(() => readStockRootfs(root)).toThrow(`${join(root, 'meta.json')}: "modes"."etc/os-release" must be ["<octal mode>", uid, gid], got ["644",0]`);
    expect(() => readStockRootfs(tree('bad-dir', { dirs: { tmp: ['1779', 0, 0] } }))).toThrow(/"dirs"\."tmp" must be/);
    expect(() => readStockRootfs(tree('bad-json', '{ "modes": '))).toThrow(/meta\.json is not valid JSON/);
    expect(() => readStockRootfs(tree('bad-links', { symlinks: ['etc/a'] }))).toThrow(/"symlinks" must be an object keyed by path/);
  });

  it('refuses a mode for a file it does not hold, and a symlink among the files', () => {
    expect(() => readStockRootfs(tree('stray-mode', { modes: { 'etc/shadow': ['0000', 0, 0] } }))).toThrow(/"modes" names etc\/shadow, which is not under files\//);
    const root = tree('link', {});
    symlinkSync('os-release', join(root, 'files', 'etc', 'link'));
    expect(() => readStockRootfs(root)).toThrow(/etc\/link: only regular files belong under files\//);
  });
});
