/**
 * Which advisory namespaces an image's OS reads from, and which of its packages they cover.
 * The release key follows each distribution's own advisory streams: Debian by major release,
 * Ubuntu and Alpine by major.minor, the Enterprise Linux rebuilds by major, SUSE by service pack.
 */
import type { OsInfo, PackageType } from '../../analysis/types.js';
import { DEBIAN_CODENAMES, openEulerRelease, suseRelease } from '../../vulndb/ecosystems.js';
import type { Ecosystem } from '../../vulndb/ecosystems.js';

export interface OsNamespace extends Ecosystem {
  /** The package type this namespace's advisories describe. */
  packageType: PackageType;
}

export interface OsStreams {
  /** `debian:11` … — the release key, also used for end-of-life lookups. */
  release: { family: string; key: string } | null;
  /** In order of preference (the distribution's own stream first). */
  namespaces: OsNamespace[];
}

const deb = (namespace: string): OsNamespace => ({ namespace, scheme: 'dpkg', nameKind: 'source', packageType: 'deb' });
const apkNs = (namespace: string): OsNamespace => ({ namespace, scheme: 'apk', nameKind: 'source', packageType: 'apk' });
const rpmNs = (namespace: string, nameKind: 'source' | 'binary' = 'binary'): OsNamespace => ({ namespace, scheme: 'rpm', nameKind, packageType: 'rpm' });

export function osStreams(os: OsInfo | null): OsStreams {
  if (!os) return { release: null, namespaces: [] };
  const version = os.version.trim();
  const major = /^(\d+)/.exec(version)?.[1];
  const majorMinor = /^(\d+\.\d+)/.exec(version)?.[1];
  const release = (key: string | undefined): OsStreams['release'] => (key ? { family: os.family, key } : null);
  switch (os.family) {
    case 'debian': {
      const key = major ?? DEBIAN_CODENAMES[(os.codename ?? version.split('/')[0] ?? '').toLowerCase()];
      return { release: release(key), namespaces: key ? [deb(`debian:${key}`)] : [] };
    }
    case 'ubuntu':
      // Ubuntu Pro (ESM) fixes still tell that the installed package is vulnerable
      return { release: release(majorMinor), namespaces: majorMinor ? [deb(`ubuntu:${majorMinor}`), deb(`ubuntu-pro:${majorMinor}`)] : [] };
    case 'alpine': {
      const key = version === 'edge' ? 'edge' : majorMinor;
      return { release: release(key), namespaces: key ? [apkNs(`alpine:${key}`)] : [] };
    }
    case 'almalinux':
    case 'rocky':
      return { release: release(major), namespaces: major ? [rpmNs(`${os.family}:${major}`)] : [] };
    case 'rhel':
      return { release: release(major), namespaces: major ? [rpmNs(`redhat:${major}`)] : [] };
    case 'centos':
      // CentOS has no feed of its own; it rebuilds RHEL's packages with the same versions
      return { release: release(major), namespaces: major ? [rpmNs(`redhat:${major}`)] : [] };
    case 'openeuler': {
      const key = openEulerRelease(version);
      return { release: release(key), namespaces: key ? [rpmNs(`openeuler:${key}`, 'source')] : [] };
    }
    case 'sles':
    case 'sled': {
      const key = suseRelease(version);
      return { release: release(key), namespaces: [rpmNs(`sles:${key}`)] };
    }
    case 'sle-micro':
    case 'sl-micro':
      return { release: release(majorMinor), namespaces: majorMinor ? [rpmNs(`sle-micro:${majorMinor}`)] : [] };
    case 'opensuse-leap':
      return { release: release(majorMinor), namespaces: majorMinor ? [rpmNs(`opensuse-leap:${majorMinor}`)] : [] };
    case 'opensuse-tumbleweed':
      return { release: release('tumbleweed'), namespaces: [rpmNs('opensuse-tumbleweed')] };
    case 'photon':
      return { release: release(majorMinor), namespaces: majorMinor ? [rpmNs(`photon:${majorMinor}`)] : [] };
    case 'wolfi':
    case 'chainguard':
      return { release: release('rolling'), namespaces: [apkNs(os.family)] };
    case 'amzn':
      return { release: release(/^2\d{3}\./.test(version) ? '1' : major), namespaces: [] };
    default:
      return { release: release(majorMinor ?? major), namespaces: [] };
  }
}
