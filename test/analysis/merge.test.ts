/**
 * Layer merge on generated images: each test builds a real OCI layout whose layers say exactly what
 * changes, scans it, and checks the inventory against what an overlay filesystem would show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dpkgAnalyzer } from '../../src/analysis/analyzers/dpkg.js';
import { MergedFilesystem } from '../../src/analysis/merged-fs.js';
import type { ImageSpec, LayerEntrySpec } from '../../src/image/build/image-writer.js';
import {
  baseAnalyzers,
  buildImage,
  DEBIAN11_OS_RELEASE,
  DEBIAN12_OS_RELEASE,
  fakePackageAnalyzer,
  fakeSecretAnalyzer,
  fakeStatus,
  osRelease,
  packageLines,
  removeDir,
  scan,
  sharedText,
  tempDir,
} from '../helpers/image-fixtures.js';

let tmp: string;
let n = 0;
beforeAll(async () => {
  tmp = await tempDir('tarsier-merge-');
});
afterAll(() => removeDir(tmp));

/** Builds an image of these layers (one entry list per layer) and scans it. */
async function scanLayers(layers: LayerEntrySpec[][], opts: { async?: boolean } = {}) {
  const spec: ImageSpec = { layers: layers.map((entries) => ({ entries, compression: 'none' })) };
  const built = await buildImage('oci', spec, tmp, `img${n++}`);
  const result = await scan(built.ref, { analyzers: [...baseAnalyzers(), fakePackageAnalyzer({ async: opts.async }), fakeSecretAnalyzer] });
  return { ...result, diffIds: built.image.layers.map((l) => l.diffId) };
}

const STATUS = 'var/lib/fakepkg/status';

describe('whiteouts', () => {
  it('a .wh. file deletes the lower layer file and its facts', async () => {
    const { inventory } = await scanLayers([
      [
        { path: 'etc/os-release', content: osRelease('ubuntu', '22.04', 'Ubuntu') },
        { path: STATUS, content: fakeStatus([['bash', '5.1']]) },
      ],
      [{ path: 'etc/.wh.os-release', content: '' }],
    ]);
    expect(inventory.os).toBeNull();
    expect(packageLines(inventory)).toEqual([`bash 5.1 L1 ${STATUS}`]);
  });

  it('a whiteout of a directory deletes everything below it, and nothing beside it', async () => {
    const { inventory } = await scanLayers([
      [
        { path: STATUS, content: fakeStatus([['bash', '5.1']]) },
        { path: 'var/lib/fakepkg-extra/fakepkg/status', content: fakeStatus([['zsh', '5.9']]) },
        { path: 'var/lib/fakepkg/link', type: 'symlink', linkTarget: 'status' },
      ],
      [{ path: 'var/lib/.wh.fakepkg', content: '' }],
    ]);
    // `var/lib/fakepkg-extra` shares a prefix with the deleted dir but is not below it.
    expect(packageLines(inventory)).toEqual(['zsh 5.9 L1 var/lib/fakepkg-extra/fakepkg/status']);
    expect(inventory.symlinks).toEqual({});
  });

  it('a file deleted in a later layer can be added back by a still later one, with that layer as origin', async () => {
    const { inventory } = await scanLayers([
      [{ path: STATUS, content: fakeStatus([['bash', '5.1']]) }],
      [{ path: 'var/lib/fakepkg/.wh.status', content: '' }],
      [{ path: STATUS, content: fakeStatus([['bash', '5.1']]) }],
    ]);
    expect(packageLines(inventory)).toEqual([`bash 5.1 L3 ${STATUS}`]);
  });

  it('ignores whiteouts that name no file (.wh. alone), warning instead of hiding the whole image', async () => {
    const { inventory, warnings } = await scanLayers([
      [
        { path: 'etc/os-release', content: DEBIAN12_OS_RELEASE() },
        { path: STATUS, content: fakeStatus([['bash', '5.2']]) },
      ],
      [
        { path: '.wh.', content: '' },
        { path: 'etc/.wh.', content: '' },
        { path: 'etc/.wh...', content: '' },
      ],
    ]);
    expect(inventory.os?.family).toBe('debian');
    expect(packageLines(inventory)).toEqual([`bash 5.2 L1 ${STATUS}`]);
    expect(warnings.filter((w) => w.includes('whiteout'))).toHaveLength(3);
  });
});

describe('opaque directories', () => {
  it('.wh..wh..opq hides the lower contents of the directory, not the directory’s own new files', async () => {
    const { inventory, diffIds } = await scanLayers([
      [
        { path: 'etc/os-release', content: DEBIAN11_OS_RELEASE() },
        { path: STATUS, content: fakeStatus([['bash', '5.1'], ['libc6', '2.31']]) },
        { path: 'var/lib/fakepkg/old', type: 'symlink', linkTarget: 'status' },
      ],
      [
        { path: 'var/lib/fakepkg/.wh..wh..opq', content: '' },
        { path: 'var/lib/fakepkg/new/fakepkg/status', content: fakeStatus([['musl', '1.2']]) },
      ],
    ]);
    expect(packageLines(inventory)).toEqual(['musl 1.2 L2 var/lib/fakepkg/new/fakepkg/status']);
    expect(inventory.packages[0]?.layerDiffId).toBe(diffIds[1]);
    expect(inventory.symlinks).toEqual({});
    // Outside the opaque dir nothing changed.
    expect(inventory.os?.version).toBe('11');
  });

  it('an opaque dir and a new copy of the same db in one layer keep only the new copy', async () => {
    const { inventory } = await scanLayers([
      [{ path: STATUS, content: fakeStatus([['bash', '5.1'], ['libc6', '2.31']]) }],
      [
        // Tar order inside the layer does not matter: the marker applies to lower layers only.
        { path: STATUS, content: fakeStatus([['bash', '5.2']]) },
        { path: 'var/lib/fakepkg/.wh..wh..opq', content: '' },
      ],
    ]);
    expect(packageLines(inventory)).toEqual([`bash 5.2 L2 ${STATUS}`]);
  });
});

describe('symlinks replacing files', () => {
  it('a file removed and replaced by a symlink in the same layer: the symlink wins, the old facts go', async () => {
    for (const order of ['whiteout-first', 'symlink-first'] as const) {
      const replace: LayerEntrySpec[] = [
        { path: 'etc/.wh.os-release', content: '' },
        { path: 'etc/os-release', type: 'symlink', linkTarget: '../usr/lib/os-release' },
        { path: 'usr/lib/os-release', content: DEBIAN12_OS_RELEASE() },
      ];
      if (order === 'symlink-first') replace.reverse();
      const { inventory } = await scanLayers([[{ path: 'etc/os-release', content: osRelease('ubuntu', '22.04', 'Ubuntu') }], replace]);
      expect(inventory.os, order).toMatchObject({ family: 'debian', version: '12' });
      expect(inventory.symlinks, order).toEqual({ 'etc/os-release': '../usr/lib/os-release' });
      expect(MergedFilesystem.of(inventory).resolve('etc/os-release')).toBe('usr/lib/os-release');
    }
  });

  it('a symlink replaced by a real directory in a later layer no longer redirects paths', async () => {
    const { inventory } = await scanLayers([
      [
        { path: 'etc/ssh-real', type: 'dir' },
        { path: 'etc/ssh', type: 'symlink', linkTarget: 'ssh-real' },
      ],
      [
        { path: 'etc/.wh.ssh', content: '' },
        { path: 'etc/ssh', type: 'dir' },
        { path: 'etc/ssh/sshd_config', content: 'PermitRootLogin no\n' },
      ],
    ]);
    expect(inventory.symlinks).toEqual({});
    expect(MergedFilesystem.of(inventory).resolve('etc/ssh/sshd_config')).toBe('etc/ssh/sshd_config');
  });

  it('without a whiteout too: a directory entry at a lower symlink path replaces the link', async () => {
    const { inventory } = await scanLayers([
      [{ path: 'opt/data', type: 'symlink', linkTarget: '/srv/data' }],
      [{ path: 'opt/data', type: 'dir' }],
    ]);
    expect(inventory.symlinks).toEqual({});
  });

  it('a directory replaced by a symlink hides what was below the directory', async () => {
    const { inventory } = await scanLayers([
      [{ path: STATUS, content: fakeStatus([['bash', '5.1']]) }],
      [{ path: 'var/lib/fakepkg', type: 'symlink', linkTarget: '/opt/fakepkg' }],
    ]);
    expect(inventory.packages).toEqual([]);
    expect(inventory.symlinks).toEqual({ 'var/lib/fakepkg': '/opt/fakepkg' });
  });

  it('a symlink replaced by a file that an analyzer reads is no longer a symlink', async () => {
    const { inventory } = await scanLayers([
      [
        { path: 'usr/lib/os-release', content: DEBIAN11_OS_RELEASE() },
        { path: 'etc/os-release', type: 'symlink', linkTarget: '../usr/lib/os-release' },
      ],
      [{ path: 'etc/os-release', content: DEBIAN12_OS_RELEASE() }],
    ]);
    expect(inventory.symlinks).toEqual({});
    expect(inventory.os?.version).toBe('12');
  });
});

describe('hardlinks', () => {
  it('a hardlink carries the facts of its target and survives the target’s deletion', async () => {
    const { inventory } = await scanLayers([
      [
        { path: 'usr/lib/os-release', content: DEBIAN12_OS_RELEASE() },
        { path: 'etc/os-release', type: 'hardlink', linkTarget: 'usr/lib/os-release' },
        { path: STATUS, content: fakeStatus([['bash', '5.2']]) },
        { path: 'opt/copy/fakepkg/status', type: 'hardlink', linkTarget: STATUS },
      ],
      [
        { path: 'usr/lib/.wh.os-release', content: '' },
        { path: 'var/lib/fakepkg/.wh.status', content: '' },
      ],
    ]);
    expect(inventory.os).toMatchObject({ family: 'debian', version: '12' });
    // The package is now only at the hardlink's path, and says so.
    expect(packageLines(inventory)).toEqual(['bash 5.2 L1 opt/copy/fakepkg/status']);
  });

  it('a hardlink gets the facts of an analyzer that answers asynchronously', async () => {
    const { inventory } = await scanLayers(
      [
        [
          { path: STATUS, content: fakeStatus([['bash', '5.2']]) },
          { path: 'opt/copy/fakepkg/status', type: 'hardlink', linkTarget: STATUS },
        ],
      ],
      { async: true },
    );
    expect(packageLines(inventory)).toEqual(['bash 5.2 L1 opt/copy/fakepkg/status', `bash 5.2 L1 ${STATUS}`]);
  });
});

describe('package databases across layers', () => {
  it('an upgraded package shows the later layer; an unchanged one keeps its origin; a removed one is gone', async () => {
    const { inventory, diffIds } = await scanLayers([
      [
        { path: 'etc/os-release', content: DEBIAN12_OS_RELEASE() },
        { path: STATUS, content: fakeStatus([['bash', '5.2.15-2'], ['libssl3', '3.0.11-1'], ['wget', '1.21.3-1']]) },
      ],
      [{ path: 'srv/app', content: 'unrelated layer' }],
      [{ path: STATUS, content: fakeStatus([['bash', '5.2.15-2'], ['libssl3', '3.0.15-1']]) }],
    ]);
    expect(packageLines(inventory)).toEqual([`bash 5.2.15-2 L1 ${STATUS}`, `libssl3 3.0.15-1 L3 ${STATUS}`]);
    expect(inventory.packages.find((p) => p.name === 'libssl3')?.layerDiffId).toBe(diffIds[2]);
    expect(inventory.packages.find((p) => p.name === 'bash')?.layerDiffId).toBe(diffIds[0]);
    // The purl gains the distro of the merged OS.
    expect(inventory.packages[0]?.purl).toBe('pkg:deb/debian/bash@5.2.15-2?arch=amd64&distro=debian-12');
  });

  it('a db rewritten empty removes every package; an unreadable rewrite hides the old one too', async () => {
    const emptied = await scanLayers([[{ path: STATUS, content: fakeStatus([['bash', '5.2']]) }], [{ path: STATUS, content: '' }]]);
    expect(emptied.inventory.packages).toEqual([]);
    const broken = await scanLayers([[{ path: STATUS, content: fakeStatus([['bash', '5.2']]) }], [{ path: STATUS, content: 'garbage-without-version\n' }]]);
    expect(broken.inventory.packages).toEqual([]);
    expect(broken.inventory.warnings.some((w) => w.startsWith('layer 2:') && w.includes('bad fakepkg line'))).toBe(true);
  });
});

describe('a real dpkg database across layers', () => {
  const CASE = 'pkgdb/dpkg/debian12-bookworm-minbase';
  const status = sharedText(`${CASE}/var/lib/dpkg/status`);
  const expected = (JSON.parse(sharedText(`${CASE}/expected.json`)) as { derived: Record<string, { packages: Array<{ name: string; version: string; arch: string; source: string }> }> }).derived[
    'var/lib/dpkg/status'
  ]?.packages as Array<{ name: string; version: string; arch: string; source: string }>;
  /** The status file with each stanza passed through `edit` (null drops it). */
  const rewrite = (edit: (name: string, stanza: string) => string | null) =>
    status
      .split(/\n\n+/)
      .filter((st) => st.trim() !== '')
      .map((st) => edit(/^Package: (.+)$/m.exec(st)?.[1] ?? '', st))
      .filter((st): st is string => st !== null)
      .join('\n\n') + '\n';

  it('the top-most status wins: upgrade shows the later layer, removal is gone, the rest keep layer 1', async () => {
    const upgraded = rewrite((name, st) => (name === 'apt' ? null : name === 'tzdata' ? st.replace(/^Version: .+$/m, 'Version: 2099a-0+deb12u1') : st));
    const spec: ImageSpec = {
      layers: [
        {
          entries: [
            { path: 'usr/lib/os-release', content: sharedText(`${CASE}/usr/lib/os-release`) },
            { path: 'etc/os-release', type: 'symlink', linkTarget: '../usr/lib/os-release' },
            { path: 'var/lib/dpkg/status', content: status },
          ],
        },
        { entries: [{ path: 'var/lib/dpkg/status', content: upgraded }] },
        { entries: [{ path: 'srv/app.js', content: 'console.log(1)' }] },
      ],
    };
    const built = await buildImage('oci', spec, tmp, `dpkg${n++}`);
    const [l1, l2] = built.image.layers.map((l) => l.diffId);
    const { inventory } = await scan(built.ref, { analyzers: [...baseAnalyzers(), dpkgAnalyzer] });
    expect(inventory.os).toMatchObject({ family: 'debian', version: '12' });
    const want = expected
      .filter((p) => p.name !== 'apt')
      .map((p) => ({ name: p.name, version: p.name === 'tzdata' ? '2099a-0+deb12u1' : p.version, arch: p.arch, source: p.source, layer: p.name === 'tzdata' ? l2 : l1 }));
    const got = inventory.packages.map((p) => ({ name: p.name, version: p.version, arch: p.arch, source: p.source, layer: p.layerDiffId }));
    expect(got).toHaveLength(87);
    expect(got).toEqual(want.sort((a, b) => a.name.localeCompare(b.name)));
    for (const p of inventory.packages) {
      expect(p.path).toBe('var/lib/dpkg/status');
      expect(p.purl).toMatch(/^pkg:deb\/debian\/.+distro=debian-12/);
    }
  });
});

describe('every-layer facts', () => {
  it('a secret in a file deleted by a later layer is still reported, marked not visible, with its layer', async () => {
    const { inventory, diffIds } = await scanLayers([
      [
        { path: 'root/.aws/key.secret', content: 'AKIA...' },
        { path: 'app/config.secret', content: 'password=1' },
      ],
      [{ path: 'root/.wh..aws', content: '' }],
    ]);
    const byPath = Object.fromEntries(inventory.sensitive.map((s) => [s.path, s]));
    expect(byPath['root/.aws/key.secret']).toMatchObject({ visible: false, layerDiffId: diffIds[0] });
    expect(byPath['app/config.secret']).toMatchObject({ visible: true, layerDiffId: diffIds[0] });
  });
});

describe('special modes', () => {
  it('keeps setuid files of the merged filesystem and drops those deleted later', async () => {
    const { inventory } = await scanLayers([
      [
        { path: 'usr/bin/passwd', content: 'x', mode: 0o4755 },
        { path: 'usr/bin/old-su', content: 'x', mode: 0o4755 },
        { path: 'tmp', type: 'dir', mode: 0o1777 },
        { path: 'srv/open', type: 'dir', mode: 0o777 },
      ],
      [{ path: 'usr/bin/.wh.old-su', content: '' }],
    ]);
    expect(inventory.specialModes.map((s) => `${s.path} ${s.mode.toString(8)}`)).toEqual(['srv/open 777', 'usr/bin/passwd 4755']);
  });
});
