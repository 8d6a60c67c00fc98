/**
 * Java archive scan → Maven packages. In order of trust:
 * 1. every `pom.properties` (groupId, artifactId, version) is a package, so a shaded jar yields
 *    its own coordinates and those of everything it bundles;
 * 2. when none of them is the archive's own (its artifactId is not the file name's), the
 *    manifest's Implementation/Bundle attributes give one more package, marked `manifest`;
 * 3. an archive with neither gives a package from its file name (`name-1.2.3.jar`), marked
 *    `file-name`.
 * Nested archives are handled the same way, each under its own `outer!/inner` path.
 */
import { PackageURL } from 'packageurl-js';
import type { Package } from '../../types.js';
import { parseManifestMainSection } from './manifest.js';
import { parseProperties } from './properties.js';
import type { ArchiveScan } from './zip-stream.js';

export function javaPackages(scan: ArchiveScan): Package[] {
  const out: Package[] = [];
  collect(scan, out);
  return out;
}

/** Notes of the whole tree, each prefixed with the archive it concerns. */
export function javaNotes(scan: ArchiveScan): string[] {
  const notes = scan.notes.map((n) => `${scan.path}: ${n}`);
  for (const child of scan.children) notes.push(...javaNotes(child));
  return notes;
}

function collect(scan: ArchiveScan, out: Package[]): void {
  if (scan.sawEntries) out.push(...archivePackages(scan));
  for (const child of scan.children) collect(child, out);
}

interface Coordinates {
  group: string;
  artifact: string;
  version: string;
}

function archivePackages(scan: ArchiveScan): Package[] {
  const fileName = scan.path.slice(scan.path.lastIndexOf('/') + 1);
  const fromName = parseArchiveFileName(fileName);
  const packages: Package[] = [];
  const seen = new Set<string>();
  const poms: Coordinates[] = [];
  for (const content of scan.pomProperties) {
    const c = pomCoordinates(content);
    if (!c || seen.has(`${c.group}:${c.artifact}@${c.version}`)) continue;
    seen.add(`${c.group}:${c.artifact}@${c.version}`);
    poms.push(c);
    packages.push(mavenPackage(c.group, c.artifact, c.version, scan.path));
  }
  const manifest = scan.manifest ? parseManifestMainSection(scan.manifest) : null;
  const fromManifest = manifest ? manifestIdentity(manifest, fromName) : null;
  // The archive's own pom.properties: its artifactId is the file name's, or (renamed and
  // Debian-style files) its version is the manifest's; without a manifest version, a single
  // pom.properties in a file name without a version is taken to be the archive's own.
  const ownFound =
    poms.some((c) => c.artifact === fromName.artifact) ||
    (fromManifest !== null && poms.some((c) => sameVersion(c.version, fromManifest.version))) ||
    (fromManifest === null && poms.length === 1 && fromName.version === undefined);
  if (ownFound) return packages;
  if (fromManifest) {
    packages.push({ ...mavenPackage(fromManifest.group, fromManifest.artifact, fromManifest.version, scan.path), evidence: 'manifest' });
  } else if (poms.length === 0 && fromName.version !== undefined) {
    packages.push({ ...mavenPackage(undefined, fromName.artifact, fromName.version, scan.path), evidence: 'file-name' });
  }
  return packages;
}

function pomCoordinates(content: Buffer): Coordinates | null {
  const props = parseProperties(content);
  const group = props.get('groupId')?.trim();
  const artifact = props.get('artifactId')?.trim();
  const version = props.get('version')?.trim();
  if (!group || !artifact || !version) return null;
  return { group, artifact, version };
}

/** `1.3` and `1.3.0` are the same release (OSGi bundle versions always have three parts). */
function sameVersion(a: string, b: string): boolean {
  const norm = (v: string) => v.replace(/(?:\.0)+$/, '');
  return norm(a) === norm(b);
}

/**
 * Identity from the manifest main section: a version from Implementation-, Bundle- or
 * Specification-Version; the artifact from the file name when it carries a version (Maven names
 * files `artifact-version.jar`), else an id-like Implementation-Title or Bundle-Name, else the
 * file name; the group only from Implementation-Vendor-Id (vendor names and OSGi symbolic names
 * are not Maven groups, and a guessed group is worse than none).
 */
function manifestIdentity(attrs: Map<string, string>, fromName: FileNameParts): { group?: string; artifact: string; version: string } | null {
  const version = attrs.get('implementation-version') || attrs.get('bundle-version') || attrs.get('specification-version');
  if (!version) return null;
  const idLike = (s: string | undefined) => (s && /^[A-Za-z0-9][\w.-]*$/.test(s) ? s : undefined);
  const artifact =
    (fromName.version !== undefined ? fromName.artifact : undefined) ?? idLike(attrs.get('implementation-title')) ?? idLike(attrs.get('bundle-name')) ?? fromName.artifact;
  if (!artifact) return null;
  const group = idLike(attrs.get('implementation-vendor-id'));
  return group ? { group, artifact, version } : { artifact, version };
}

interface FileNameParts {
  artifact: string;
  version?: string;
}

const ARCHIVE_EXTENSION = /\.[A-Za-z]{3}$/;

/**
 * `commons-lang3-3.12.0.jar` → commons-lang3 / 3.12.0; `guava-31.1-jre.jar` → guava / 31.1-jre.
 * The version starts at the first `-` followed by a digit; a name without one has no version.
 */
export function parseArchiveFileName(fileName: string): FileNameParts {
  const base = fileName.replace(ARCHIVE_EXTENSION, '');
  for (let i = 1; i < base.length - 1; i++) {
    if (base[i] === '-' && /[0-9]/.test(base[i + 1] as string)) return { artifact: base.slice(0, i), version: base.slice(i + 1) };
  }
  return { artifact: base };
}

function mavenPackage(group: string | undefined, artifact: string, version: string, path: string): Package {
  const pkg: Package = { type: 'maven', name: group ? `${group}:${artifact}` : artifact, version, path, purl: mavenPurl(group, artifact, version) };
  if (group) pkg.group = group;
  return pkg;
}

/**
 * `pkg:maven/<group>/<artifact>@<version>`. The purl spec requires the group; when it is unknown
 * (file-name or manifest evidence without a vendor id) the purl names the artifact alone, which
 * says exactly what is known rather than inventing a group.
 */
function mavenPurl(group: string | undefined, artifact: string, version: string): string {
  if (group) return new PackageURL('maven', group, artifact, version, null, null).toString();
  const encoded = new PackageURL('generic', null, artifact, version, null, null).toString();
  return encoded.replace(/^pkg:generic\//, 'pkg:maven/');
}
