/**
 * Package databases and metadata files in the formats the real tools write: the dpkg `status`
 * file, apk's `lib/apk/db/installed`, wheel `METADATA`, npm `package.json`.
 */
import { createHash } from 'node:crypto';
import type { ApkPackage, DebPackage, LangPackage } from './packages.js';

/** `var/lib/dpkg/status`: one deb822 stanza per installed package, sorted by name as dpkg keeps it. */
export function dpkgStatus(packages: DebPackage[]): string {
  return [...packages]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((p) => {
      const lines = [`Package: ${p.name}`, 'Status: install ok installed', `Priority: ${p.priority}`, `Section: ${p.section}`, `Architecture: ${p.arch}`];
      if (p.multiArch) lines.push(`Multi-Arch: ${p.multiArch}`);
      if (p.source) lines.push(`Source: ${p.source}${p.sourceVersion ? ` (${p.sourceVersion})` : ''}`);
      lines.push(`Version: ${p.version}`, `Description: ${p.description}`);
      return `${lines.join('\n')}\n`;
    })
    .join('\n');
}

/**
 * `lib/apk/db/installed`: one record per package (`C:` checksum, `P:` name, `V:` version, `A:`
 * arch, `T:` description, `U:` url, `L:` license, `o:` origin), then its files as `F:` folder and
 * `R:` file lines with `Z:` checksums; records are separated by a blank line.
 */
export function apkInstalled(packages: ApkPackage[]): string {
  return packages
    .map((p) => {
      const lines = [`C:${apkChecksum(`control:${p.name}-${p.version}`)}`, `P:${p.name}`, `V:${p.version}`, 'A:x86_64', `T:${p.description}`, `U:${p.url}`, `L:${p.license}`, `o:${p.origin}`];
      const byDir = new Map<string, string[]>();
      for (const f of p.files ?? []) {
        const slash = f.lastIndexOf('/');
        const dir = f.slice(0, slash);
        byDir.set(dir, [...(byDir.get(dir) ?? []), f.slice(slash + 1)]);
      }
      for (const [dir, names] of byDir) {
        lines.push(`F:${dir}`);
        for (const n of names) lines.push(`R:${n}`, `Z:${apkChecksum(`file:${dir}/${n}`)}`);
      }
      return `${lines.join('\n')}\n`;
    })
    .join('\n');
}

/** apk's `Q1` + base64(SHA-1) checksum notation. The demo has no real package bytes to hash, so it hashes a label. */
function apkChecksum(label: string): string {
  return `Q1${createHash('sha1').update(label).digest('base64')}`;
}

/** A wheel's `METADATA` (core metadata 2.1). */
export function pythonMetadata(p: LangPackage): string {
  const lines = ['Metadata-Version: 2.1', `Name: ${p.name}`, `Version: ${p.version}`];
  if (p.summary) lines.push(`Summary: ${p.summary}`);
  if (p.license) lines.push(`License: ${p.license}`);
  return `${lines.join('\n')}\n\n`;
}

/** The dist-info folder name pip writes: the project name with `-` folded to `_`. */
export function distInfoDir(p: LangPackage): string {
  return `${p.name.replace(/-/g, '_')}-${p.version}.dist-info`;
}

/** An installed package's `package.json`, as npm leaves it in node_modules. */
export function packageJson(p: LangPackage): string {
  return `${JSON.stringify({ name: p.name, version: p.version, description: p.summary ?? '', license: p.license ?? 'UNLICENSED', main: 'index.js' }, null, 2)}\n`;
}
