/**
 * OS identification from release files. Each file that names a known distribution yields one
 * OsFact; `chooseOs` (../os-detect.ts) combines the facts that survive the layer merge.
 *
 * Version policy: the version is what the distribution's own file says, in the form os-release's
 * VERSION_ID uses (`10` for Debian, `16.04` for Ubuntu, `7` for CentOS 7, `3.18.4` for Alpine), so
 * that the same image gives the same answer whichever of its files is read. Exceptions are
 * documented where the form differs (EulerOS/openEuler service packs, Debian point releases,
 * Alpine edge snapshots).
 */
import type { EntryInfo, FileAnalyzer, OsFact, OsInfo, WarningFact } from '../types.js';

type OsReleaseFact = OsFact | WarningFact;
type FileKind = 'os-release' | 'lsb-release' | 'debian_version' | 'alpine-release' | 'suse-release' | 'release-line';

/**
 * Which files speak about the OS, how to read them and how much to trust them. os-release is the
 * standard and wins; a vendor's own release file beats the generic redhat/system-release, which
 * derivatives (Oracle, CentOS, Amazon) also ship with other content.
 */
const RELEASE_FILES: ReadonlyMap<string, { kind: FileKind; priority: number }> = new Map([
  ['etc/os-release', { kind: 'os-release', priority: 100 }],
  ['usr/lib/os-release', { kind: 'os-release', priority: 90 }],
  ['etc/lsb-release', { kind: 'lsb-release', priority: 60 }],
  ['etc/oracle-release', { kind: 'release-line', priority: 55 }],
  ['etc/centos-release', { kind: 'release-line', priority: 50 }],
  ['etc/rocky-release', { kind: 'release-line', priority: 50 }],
  ['etc/almalinux-release', { kind: 'release-line', priority: 50 }],
  ['etc/fedora-release', { kind: 'release-line', priority: 50 }],
  ['etc/euleros-release', { kind: 'release-line', priority: 50 }],
  ['etc/openEuler-release', { kind: 'release-line', priority: 50 }],
  ['etc/alpine-release', { kind: 'alpine-release', priority: 50 }],
  ['etc/debian_version', { kind: 'debian_version', priority: 50 }],
  ['etc/SuSE-release', { kind: 'suse-release', priority: 50 }],
  ['etc/redhat-release', { kind: 'release-line', priority: 30 }],
  ['etc/system-release', { kind: 'release-line', priority: 20 }],
] as const);

/**
 * os-release IDs we recognise (lower-case). An ID outside this list is not reported as an OS: we
 * could not match advisories for it, and a wrong family is worse than none.
 */
const KNOWN_FAMILIES: ReadonlyMap<string, string> = new Map([
  ['alpine', 'Alpine Linux'],
  ['debian', 'Debian GNU/Linux'],
  ['ubuntu', 'Ubuntu'],
  ['centos', 'CentOS Linux'],
  ['rhel', 'Red Hat Enterprise Linux'],
  ['rocky', 'Rocky Linux'],
  ['almalinux', 'AlmaLinux'],
  ['ol', 'Oracle Linux Server'],
  ['fedora', 'Fedora Linux'],
  ['amzn', 'Amazon Linux'],
  ['euleros', 'EulerOS'],
  ['openeuler', 'openEuler'],
  ['hce', 'Huawei Cloud EulerOS'],
  ['anolis', 'Anolis OS'],
  ['alinux', 'Alibaba Cloud Linux'],
  ['kylin', 'Kylin Linux Advanced Server'],
  ['uos', 'UOS'],
  ['opencloudos', 'OpenCloudOS'],
  ['tencentos', 'TencentOS Server'],
  ['sles', 'SUSE Linux Enterprise Server'],
  ['sled', 'SUSE Linux Enterprise Desktop'],
  ['sle-micro', 'SUSE Linux Enterprise Micro'],
  ['sl-micro', 'SUSE Linux Micro'],
  ['sle-micro-rancher', 'SLE Micro for Rancher'],
  ['opensuse', 'openSUSE'],
  ['opensuse-leap', 'openSUSE Leap'],
  ['opensuse-tumbleweed', 'openSUSE Tumbleweed'],
  ['photon', 'VMware Photon OS'],
  ['mariner', 'Common Base Linux Mariner'],
  ['azurelinux', 'Microsoft Azure Linux'],
  ['wolfi', 'Wolfi'],
  ['chainguard', 'Chainguard'],
  ['bottlerocket', 'Bottlerocket'],
  ['coreos', 'CoreOS'],
  ['echo', 'Echo'],
  ['minimos', 'MinimOS'],
  ['activestate', 'ActiveState'],
]);

/** `<Name> release <version> [(<qualifier>)]` one-liners, matched by the name they start with. */
const RELEASE_LINE_NAMES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^CentOS Stream\b/i, 'centos'],
  [/^CentOS\b/i, 'centos'],
  [/^Red Hat Enterprise Linux\b/i, 'rhel'],
  [/^Rocky Linux\b/i, 'rocky'],
  [/^AlmaLinux\b/i, 'almalinux'],
  [/^Oracle Linux\b/i, 'ol'],
  [/^Fedora\b/i, 'fedora'],
  [/^Amazon Linux\b/i, 'amzn'],
  [/^EulerOS\b/i, 'euleros'],
  [/^openEuler\b/i, 'openeuler'],
  [/^Anolis OS\b/i, 'anolis'],
  [/^Alibaba Cloud Linux\b/i, 'alinux'],
];

/** Families whose advisories are keyed by service pack / LTS stream, written `2.0 (SP8)`. */
const QUALIFIED_VERSION_FAMILIES = new Set(['euleros', 'openeuler']);

const MAX_BYTES = 64 * 1024;
/** Release one-liners are short; a longer first line is not one (and keeps regex work bounded). */
const MAX_LINE = 512;

export const osReleaseAnalyzer: FileAnalyzer<OsReleaseFact> = {
  kind: 'file',
  name: 'os-release',
  version: '1',
  maxBytes: MAX_BYTES,
  wants: (entry: EntryInfo) => RELEASE_FILES.has(entry.path),
  analyze(entry, content) {
    const spec = RELEASE_FILES.get(entry.path);
    if (!spec) return [];
    const warn = (message: string): WarningFact[] => [{ kind: 'warning', path: entry.path, message: `${entry.path}: ${message}` }];
    if (content.includes(0)) return warn('binary data, not a release file; OS not read from it');
    const text = content.toString('utf8');
    const result = parseReleaseFile(spec.kind, text);
    if ('problem' in result) return warn(result.problem);
    return [{ kind: 'os', path: entry.path, priority: spec.priority, os: result.os }];
  },
  oversized(entry) {
    return [{ kind: 'warning', path: entry.path, message: `${entry.path}: ${entry.size} bytes is too large for a release file (cap ${MAX_BYTES}); not read` }];
  },
};

type ParseResult = { os: OsInfo } | { problem: string };

/** Parse one release file's text into an OsInfo, or say why it names no known OS. */
export function parseReleaseFile(kind: FileKind, text: string): ParseResult {
  if (kind !== 'os-release' && kind !== 'lsb-release') {
    const length = firstLine(text).length;
    if (length > MAX_LINE) return { problem: `first line is ${length} characters long, not a release file` };
  }
  switch (kind) {
    case 'os-release':
      return fromOsRelease(parseKeyValues(text));
    case 'lsb-release':
      return fromLsbRelease(parseKeyValues(text));
    case 'debian_version':
      return fromDebianVersion(firstLine(text));
    case 'alpine-release':
      return fromAlpineRelease(firstLine(text));
    case 'suse-release':
      return fromSuseRelease(text);
    case 'release-line':
      return fromReleaseLine(firstLine(text));
  }
}

function fromOsRelease(kv: Map<string, string>): ParseResult {
  const rawId = kv.get('ID');
  if (!rawId) return { problem: 'no ID= line, OS not identified' };
  const family = rawId.toLowerCase();
  const defaultName = KNOWN_FAMILIES.get(family);
  if (defaultName === undefined) return { problem: `unrecognised OS ID ${JSON.stringify(truncate(rawId))}` };
  let version = kv.get('VERSION_ID') ?? '';
  const fullVersion = kv.get('VERSION') ?? '';
  // EulerOS writes VERSION_ID="2.0" but VERSION="2.0 (SP8)"; the service pack decides which fixes apply.
  if (QUALIFIED_VERSION_FAMILIES.has(family) && version && /^\S+ \(.+\)$/.test(fullVersion) && fullVersion.startsWith(`${version} `)) {
    version = fullVersion;
  }
  let codename = kv.get('VERSION_CODENAME') || kv.get('UBUNTU_CODENAME') || undefined;
  // Debian 7 predates VERSION_CODENAME but writes VERSION="7 (wheezy)".
  if (!codename && family === 'debian') codename = /\(([a-z]+)\)$/.exec(fullVersion)?.[1];
  return { os: makeOs(family, kv.get('NAME') || defaultName, normaliseVersion(family, version, kv.get('PRETTY_NAME')), codename) };
}

function fromLsbRelease(kv: Map<string, string>): ParseResult {
  const rawId = kv.get('DISTRIB_ID');
  if (!rawId) return { problem: 'no DISTRIB_ID= line, OS not identified' };
  const family = rawId.toLowerCase();
  if (!KNOWN_FAMILIES.has(family)) return { problem: `unrecognised DISTRIB_ID ${JSON.stringify(truncate(rawId))}` };
  return { os: makeOs(family, rawId, kv.get('DISTRIB_RELEASE') ?? '', kv.get('DISTRIB_CODENAME') || undefined) };
}

/**
 * `10.13` → version `10` (the major, as os-release's VERSION_ID writes it; point releases do not
 * change which advisories apply). Testing/unstable write `bookworm/sid`: kept as is, codename
 * `bookworm`.
 */
function fromDebianVersion(line: string): ParseResult {
  const numeric = /^(\d+)(?:\.\d+)*$/.exec(line);
  if (numeric) return { os: makeOs('debian', 'Debian GNU/Linux', numeric[1] as string) };
  const named = /^([a-z]+)\/sid$/.exec(line);
  if (named) return { os: makeOs('debian', 'Debian GNU/Linux', line, named[1]) };
  return { problem: `unexpected content ${JSON.stringify(truncate(line))}, not a Debian version` };
}

function fromAlpineRelease(line: string): ParseResult {
  if (!/^\d+\.\d+[\w.]*$/.test(line)) return { problem: `unexpected content ${JSON.stringify(truncate(line))}, not an Alpine version` };
  return { os: makeOs('alpine', 'Alpine Linux', normaliseVersion('alpine', line)) };
}

/** Legacy SUSE file: `SUSE Linux Enterprise Server 11 (x86_64)` then `VERSION = 11`, `PATCHLEVEL = 4`. */
function fromSuseRelease(text: string): ParseResult {
  const title = firstLine(text);
  const family = /^SUSE Linux Enterprise Server\b/i.test(title) ? 'sles' : /^openSUSE\b/i.test(title) ? 'opensuse' : undefined;
  if (!family) return { problem: `unrecognised SUSE release ${JSON.stringify(truncate(title))}` };
  const field = (key: string) => new RegExp(`^${key}[ \\t]*=[ \\t]*(\\S+)[ \\t]*$`, 'm').exec(text)?.[1];
  const major = field('VERSION');
  if (!major) return { problem: 'no VERSION = line' };
  const patch = field('PATCHLEVEL');
  // SLES 12+ os-release writes SP4 as VERSION_ID="12.4"; SP0 as "12".
  const version = patch && patch !== '0' ? `${major}.${patch}` : major;
  const name = title.replace(/\s*\([^)]*\)\s*$/, '').replace(new RegExp(`\\s+${escapeRegExp(major)}$`), '');
  return { os: makeOs(family, name, version) };
}

/** `CentOS Linux release 7.9.2009 (Core)`, `EulerOS release 2.0 (SP8)`, `Oracle Linux Server release 7.9`. */
function fromReleaseLine(line: string): ParseResult {
  const m = /^(.+?)\s+release\s+(\d[\w.]*)(?:\s+\(([^)]*)\))?/i.exec(line);
  if (!m) return { problem: `unexpected content ${JSON.stringify(truncate(line))}, not a "<name> release <version>" line` };
  const [, name, version, qualifier] = m as unknown as [string, string, string, string | undefined];
  const family = RELEASE_LINE_NAMES.find(([re]) => re.test(name))?.[1];
  if (!family) return { problem: `unrecognised distribution ${JSON.stringify(truncate(name))}` };
  const written = QUALIFIED_VERSION_FAMILIES.has(family) && qualifier ? `${version} (${qualifier})` : version;
  return { os: makeOs(family, name, written) };
}

/**
 * Alpine edge images carry a snapshot VERSION_ID such as `3.19_alpha20230901`; the branch whose
 * advisories apply is `edge`.
 */
function normaliseVersion(family: string, version: string, prettyName?: string): string {
  if (family === 'alpine' && (/_alpha/.test(version) || /\bedge$/.test(prettyName ?? ''))) return 'edge';
  return version;
}

function makeOs(family: string, name: string, version: string, codename?: string): OsInfo {
  const os: OsInfo = { family, name, version };
  if (codename) os.codename = codename;
  return os;
}

/**
 * Shell-style `KEY=value` lines as os-release(5) defines them: double quotes with `\` escapes,
 * single quotes literal, `#` comments. Lines that are not assignments are ignored, as the spec says.
 */
export function parseKeyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const rawLine of text.split(/\r?\n|\r/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    out.set(m[1] as string, unquote(m[2] as string));
  }
  return out;
}

function unquote(raw: string): string {
  const value = raw.trim();
  if (value.startsWith('"')) {
    let out = '';
    for (let i = 1; i < value.length; i++) {
      const c = value[i] as string;
      if (c === '\\' && i + 1 < value.length) out += value[++i];
      else if (c === '"') return out;
      else out += c;
    }
    return out; // unterminated: take what is there
  }
  if (value.startsWith("'")) {
    const end = value.indexOf("'", 1);
    return end === -1 ? value.slice(1) : value.slice(1, end);
  }
  const comment = value.search(/\s#/);
  return comment === -1 ? value : value.slice(0, comment).trimEnd();
}

function firstLine(text: string): string {
  for (const line of text.split(/\r?\n|\r/)) if (line.trim()) return line.trim();
  return '';
}

function truncate(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
