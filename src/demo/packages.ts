/**
 * The packages installed in the demo images: real package names and versions of each release, so
 * that the bundled advisory snapshot (data/advisories/, built from real feeds by
 * scripts/build-advisory-snapshot.ts) flags them as it would on the real images. Which advisory is
 * expected to match which package is written down in data/advisories/SOURCES.md.
 *
 * The snapshot script reads these tables too: what it keeps from each feed is decided by them.
 */

export interface DebPackage {
  name: string;
  version: string;
  /** Source package when it differs from the binary name; `sourceVersion` when its version differs. */
  source?: string;
  sourceVersion?: string;
  arch: 'amd64' | 'all';
  section: string;
  priority: 'required' | 'important' | 'standard' | 'optional';
  description: string;
  multiArch?: 'same' | 'foreign';
}

export interface ApkPackage {
  name: string;
  version: string;
  origin: string;
  description: string;
  url: string;
  license: string;
  /** Files the package installs (for the db's F:/R: lines); a few representative ones. */
  files?: string[];
}

export interface LangPackage {
  name: string;
  version: string;
  license?: string;
  summary?: string;
}

export interface GoModule {
  path: string;
  version: string;
}

type DebRow = [name: string, version: string, source: string | null, arch: 'amd64' | 'all', section: string, priority: DebPackage['priority'], description: string];

function debs(rows: DebRow[]): DebPackage[] {
  return rows.map(([name, version, source, arch, section, priority, description]) => {
    const pkg: DebPackage = { name, version, arch, section, priority, description };
    if (source) {
      // `src (ver)` when a binNMU or an epoch makes the binary version differ from the source's
      const m = /^(\S+) \((\S+)\)$/.exec(source);
      if (m) {
        pkg.source = m[1] as string;
        pkg.sourceVersion = m[2] as string;
      } else pkg.source = source;
    }
    if (arch === 'amd64' && section === 'libs') pkg.multiArch = 'same';
    return pkg;
  });
}

// ---------------------------------------------------------------------------------------------
// Debian 10 (buster), the package set of the debian:10.4 image (June 2020) plus what the demo
// Dockerfile installs.

export const DEBIAN10_BASE: DebPackage[] = debs([
  ['adduser', '3.118', null, 'all', 'admin', 'important', 'add and remove users and groups'],
  ['apt', '1.8.2.1', null, 'amd64', 'admin', 'important', 'commandline package manager'],
  ['base-files', '10.3+deb10u4', null, 'amd64', 'admin', 'required', 'Debian base system miscellaneous files'],
  ['base-passwd', '3.5.46', null, 'amd64', 'admin', 'required', 'Debian base system master password and group files'],
  ['bash', '5.0-4', null, 'amd64', 'shells', 'required', 'GNU Bourne Again SHell'],
  ['bsdutils', '1:2.33.1-0.1', 'util-linux (2.33.1-0.1)', 'amd64', 'utils', 'required', 'basic utilities from 4.4BSD-Lite'],
  ['coreutils', '8.30-3', null, 'amd64', 'utils', 'required', 'GNU core utilities'],
  ['dash', '0.5.10.2-5', null, 'amd64', 'shells', 'required', 'POSIX-compliant shell'],
  ['debconf', '1.5.71', null, 'all', 'admin', 'required', 'Debian configuration management system'],
  ['debian-archive-keyring', '2019.1', null, 'all', 'misc', 'important', 'GnuPG archive keys of the Debian archive'],
  ['debianutils', '4.8.6.1', null, 'amd64', 'utils', 'required', 'Miscellaneous utilities specific to Debian'],
  ['diffutils', '1:3.7-3', null, 'amd64', 'utils', 'required', 'File comparison utilities'],
  ['dpkg', '1.19.7', null, 'amd64', 'admin', 'required', 'Debian package management system'],
  ['e2fsprogs', '1.44.5-1+deb10u3', null, 'amd64', 'admin', 'required', 'ext2/ext3/ext4 file system utilities'],
  ['fdisk', '2.33.1-0.1', 'util-linux', 'amd64', 'utils', 'important', 'collection of partitioning utilities'],
  ['findutils', '4.6.0+git+20190209-2', null, 'amd64', 'utils', 'required', 'utilities for finding files--find, xargs'],
  ['gcc-8-base', '8.3.0-6', 'gcc-8', 'amd64', 'libs', 'required', 'GCC, the GNU Compiler Collection (base package)'],
  ['gpgv', '2.2.12-1+deb10u1', 'gnupg2', 'amd64', 'utils', 'important', 'GNU privacy guard - signature verification tool'],
  ['grep', '3.3-1', null, 'amd64', 'utils', 'required', 'GNU grep, egrep and fgrep'],
  ['gzip', '1.9-3', null, 'amd64', 'utils', 'required', 'GNU compression utilities'],
  ['hostname', '3.21', null, 'amd64', 'admin', 'required', 'utility to set/show the host name or domain name'],
  ['init-system-helpers', '1.56+nmu1', null, 'all', 'admin', 'required', 'helper tools for all init systems'],
  ['libacl1', '2.2.53-4', 'acl', 'amd64', 'libs', 'required', 'access control list - shared library'],
  ['libapt-pkg5.0', '1.8.2.1', 'apt', 'amd64', 'libs', 'important', 'package management runtime library'],
  ['libattr1', '1:2.4.48-4', 'attr', 'amd64', 'libs', 'required', 'extended attribute handling - shared library'],
  ['libaudit-common', '1:2.8.4-3', 'audit', 'all', 'libs', 'required', 'Dynamic library for security auditing - common files'],
  ['libaudit1', '1:2.8.4-3', 'audit', 'amd64', 'libs', 'required', 'Dynamic library for security auditing'],
  ['libblkid1', '2.33.1-0.1', 'util-linux', 'amd64', 'libs', 'required', 'block device ID library'],
  ['libbz2-1.0', '1.0.6-9.2~deb10u1', 'bzip2', 'amd64', 'libs', 'important', 'high-quality block-sorting file compressor library - runtime'],
  ['libc-bin', '2.28-10', 'glibc', 'amd64', 'libs', 'required', 'GNU C Library: Binaries'],
  ['libc6', '2.28-10', 'glibc', 'amd64', 'libs', 'required', 'GNU C Library: Shared libraries'],
  ['libcap-ng0', '0.7.9-2', 'libcap-ng', 'amd64', 'libs', 'required', 'An alternate POSIX capabilities library'],
  ['libcom-err2', '1.44.5-1+deb10u3', 'e2fsprogs', 'amd64', 'libs', 'required', 'common error description library'],
  ['libdb5.3', '5.3.28+dfsg1-0.5', 'db5.3', 'amd64', 'libs', 'required', 'Berkeley v5.3 Database Libraries [runtime]'],
  ['libdebconfclient0', '0.249', 'cdebconf', 'amd64', 'libs', 'required', 'Debian Configuration Management System (C-implementation library)'],
  ['libext2fs2', '1.44.5-1+deb10u3', 'e2fsprogs', 'amd64', 'libs', 'required', 'ext2/ext3/ext4 file system libraries'],
  ['libfdisk1', '2.33.1-0.1', 'util-linux', 'amd64', 'libs', 'required', 'fdisk partitioning library'],
  ['libffi6', '3.2.1-9', 'libffi', 'amd64', 'libs', 'required', 'Foreign Function Interface library runtime'],
  ['libgcc1', '1:8.3.0-6', 'gcc-8 (8.3.0-6)', 'amd64', 'libs', 'required', 'GCC support library'],
  ['libgcrypt20', '1.8.4-5', null, 'amd64', 'libs', 'required', 'LGPL Crypto library - runtime library'],
  ['libgmp10', '2:6.1.2+dfsg-4', 'gmp', 'amd64', 'libs', 'required', 'Multiprecision arithmetic library'],
  ['libgnutls30', '3.6.7-4+deb10u3', 'gnutls28', 'amd64', 'libs', 'required', 'GNU TLS library - main runtime library'],
  ['libgpg-error0', '1.35-1', 'libgpg-error', 'amd64', 'libs', 'required', 'GnuPG development runtime library'],
  ['libhogweed4', '3.4.1-1', 'nettle', 'amd64', 'libs', 'required', 'low level cryptographic library (public-key cryptos)'],
  ['libidn2-0', '2.0.5-1+deb10u1', 'libidn2', 'amd64', 'libs', 'required', 'Internationalized domain names (IDNA2008/TR46) library'],
  ['liblz4-1', '1.8.3-1', 'lz4', 'amd64', 'libs', 'required', 'Fast LZ compression algorithm library - runtime'],
  ['liblzma5', '5.2.4-1', 'xz-utils', 'amd64', 'libs', 'required', 'XZ-format compression library'],
  ['libmount1', '2.33.1-0.1', 'util-linux', 'amd64', 'libs', 'required', 'device mounting library'],
  ['libncursesw6', '6.1+20181013-2+deb10u2', 'ncurses', 'amd64', 'libs', 'important', 'shared libraries for terminal handling (wide character support)'],
  ['libnettle6', '3.4.1-1', 'nettle', 'amd64', 'libs', 'required', 'low level cryptographic library (symmetric and one-way cryptos)'],
  ['libp11-kit0', '0.23.15-2', 'p11-kit', 'amd64', 'libs', 'required', 'library for loading and coordinating access to PKCS#11 modules - runtime'],
  ['libpam-modules', '1.3.1-5', 'pam', 'amd64', 'admin', 'required', 'Pluggable Authentication Modules for PAM'],
  ['libpam-modules-bin', '1.3.1-5', 'pam', 'amd64', 'admin', 'required', 'Pluggable Authentication Modules for PAM - helper binaries'],
  ['libpam-runtime', '1.3.1-5', 'pam', 'all', 'admin', 'required', 'Runtime support for the PAM library'],
  ['libpam0g', '1.3.1-5', 'pam', 'amd64', 'libs', 'required', 'Pluggable Authentication Modules library'],
  ['libpcre3', '2:8.39-12', 'pcre3', 'amd64', 'libs', 'important', 'Old Perl 5 Compatible Regular Expression Library - runtime files'],
  ['libseccomp2', '2.3.3-4', 'libseccomp', 'amd64', 'libs', 'required', 'high level interface to Linux seccomp filter'],
  ['libselinux1', '2.8-1+b1', 'libselinux (2.8-1)', 'amd64', 'libs', 'required', 'SELinux runtime shared libraries'],
  ['libsemanage-common', '2.8-2', 'libsemanage', 'all', 'libs', 'required', 'Common files for SELinux policy management libraries'],
  ['libsemanage1', '2.8-2', 'libsemanage', 'amd64', 'libs', 'required', 'SELinux policy management library'],
  ['libsepol1', '2.8-1', 'libsepol', 'amd64', 'libs', 'required', 'SELinux library for manipulating binary security policies'],
  ['libsmartcols1', '2.33.1-0.1', 'util-linux', 'amd64', 'libs', 'required', 'smart column output alignment library'],
  ['libss2', '1.44.5-1+deb10u3', 'e2fsprogs', 'amd64', 'libs', 'required', 'command-line interface parsing library'],
  ['libstdc++6', '8.3.0-6', 'gcc-8', 'amd64', 'libs', 'important', 'GNU Standard C++ Library v3'],
  ['libsystemd0', '241-7~deb10u4', 'systemd', 'amd64', 'libs', 'required', 'systemd utility library'],
  ['libtasn1-6', '4.13-3', null, 'amd64', 'libs', 'required', 'Manage ASN.1 structures (runtime)'],
  ['libtinfo6', '6.1+20181013-2+deb10u2', 'ncurses', 'amd64', 'libs', 'required', 'shared low-level terminfo library for terminal handling'],
  ['libudev1', '241-7~deb10u4', 'systemd', 'amd64', 'libs', 'required', 'libudev shared library'],
  ['libunistring2', '0.9.10-1', 'libunistring', 'amd64', 'libs', 'required', 'Unicode string library for C'],
  ['libuuid1', '2.33.1-0.1', 'util-linux', 'amd64', 'libs', 'required', 'Universally Unique ID library'],
  ['libzstd1', '1.3.8+dfsg-3', 'libzstd', 'amd64', 'libs', 'required', 'fast lossless compression algorithm'],
  ['login', '1:4.5-1.1', 'shadow', 'amd64', 'admin', 'required', 'system login tools'],
  ['mawk', '1.3.3-17+b3', 'mawk (1.3.3-17)', 'amd64', 'interpreters', 'required', 'a pattern scanning and text processing language'],
  ['mount', '2.33.1-0.1', 'util-linux', 'amd64', 'admin', 'required', 'tools for mounting and manipulating filesystems'],
  ['ncurses-base', '6.1+20181013-2+deb10u2', 'ncurses', 'all', 'misc', 'required', 'basic terminal type definitions'],
  ['ncurses-bin', '6.1+20181013-2+deb10u2', 'ncurses', 'amd64', 'utils', 'required', 'terminal-related programs and man pages'],
  ['passwd', '1:4.5-1.1', 'shadow', 'amd64', 'admin', 'required', 'change and administer password and group data'],
  ['perl-base', '5.28.1-6', 'perl', 'amd64', 'perl', 'required', 'minimal Perl system'],
  ['sed', '4.7-1', null, 'amd64', 'utils', 'required', 'GNU stream editor for filtering/transforming text'],
  ['sysvinit-utils', '2.93-8', 'sysvinit', 'amd64', 'admin', 'required', 'System-V-like utilities'],
  ['tar', '1.30+dfsg-6', null, 'amd64', 'utils', 'required', 'GNU version of the tar archiving utility'],
  ['tzdata', '2020a-0+deb10u1', null, 'all', 'localization', 'required', 'time zone and daylight-saving time data'],
  ['util-linux', '2.33.1-0.1', null, 'amd64', 'utils', 'required', 'miscellaneous system utilities'],
  ['zlib1g', '1:1.2.11.dfsg-1', 'zlib', 'amd64', 'libs', 'required', 'compression library - runtime'],
]);

/** `apt-get install -y openssh-server curl sudo ca-certificates libxml2 libsqlite3-0` on top of the base. */
export const DEBIAN10_ADDED: DebPackage[] = debs([
  ['ca-certificates', '20190110', null, 'all', 'misc', 'optional', 'Common CA certificates'],
  ['curl', '7.64.0-4+deb10u1', null, 'amd64', 'web', 'optional', 'command line tool for transferring data with URL syntax'],
  ['libcurl4', '7.64.0-4+deb10u1', 'curl', 'amd64', 'libs', 'optional', 'easy-to-use client-side URL transfer library (OpenSSL flavour)'],
  ['libexpat1', '2.2.6-2+deb10u1', 'expat', 'amd64', 'libs', 'important', 'XML parsing C library - runtime library'],
  ['libgssapi-krb5-2', '1.17-3', 'krb5', 'amd64', 'libs', 'standard', 'MIT Kerberos runtime libraries - krb5 GSS-API Mechanism'],
  ['libk5crypto3', '1.17-3', 'krb5', 'amd64', 'libs', 'standard', 'MIT Kerberos runtime libraries - Crypto Library'],
  ['libkeyutils1', '1.6-6', 'keyutils', 'amd64', 'misc', 'standard', 'Linux Key Management Utilities (library)'],
  ['libkrb5-3', '1.17-3', 'krb5', 'amd64', 'libs', 'standard', 'MIT Kerberos runtime libraries'],
  ['libkrb5support0', '1.17-3', 'krb5', 'amd64', 'libs', 'standard', 'MIT Kerberos runtime libraries - Support library'],
  ['libldap-2.4-2', '2.4.47+dfsg-3+deb10u2', 'openldap', 'amd64', 'libs', 'optional', 'OpenLDAP libraries'],
  ['libldap-common', '2.4.47+dfsg-3+deb10u2', 'openldap', 'all', 'libs', 'optional', 'OpenLDAP common files for libraries'],
  ['libnghttp2-14', '1.36.0-2+deb10u1', 'nghttp2', 'amd64', 'libs', 'optional', 'library implementing HTTP/2 protocol (shared library)'],
  ['libpsl5', '0.20.2-2', 'libpsl', 'amd64', 'libs', 'optional', 'Library for Public Suffix List (shared libraries)'],
  ['librtmp1', '2.4+20151223.gitfa8646d.1-2', 'rtmpdump', 'amd64', 'libs', 'optional', 'toolkit for RTMP streams (shared library)'],
  ['libsasl2-2', '2.1.27+dfsg-1+deb10u1', 'cyrus-sasl2', 'amd64', 'libs', 'standard', 'Cyrus SASL - authentication abstraction library'],
  ['libsasl2-modules-db', '2.1.27+dfsg-1+deb10u1', 'cyrus-sasl2', 'amd64', 'libs', 'standard', 'Cyrus SASL - pluggable authentication modules (DB)'],
  ['libsqlite3-0', '3.27.2-3', 'sqlite3', 'amd64', 'libs', 'optional', 'SQLite 3 shared library'],
  ['libssh2-1', '1.8.0-2.1', 'libssh2', 'amd64', 'libs', 'optional', 'SSH2 client-side library'],
  ['libssl1.1', '1.1.1d-0+deb10u3', 'openssl', 'amd64', 'libs', 'optional', 'Secure Sockets Layer toolkit - shared libraries'],
  ['libwrap0', '7.6.q-28', 'tcp-wrappers', 'amd64', 'libs', 'optional', "Wietse Venema's TCP wrappers library"],
  ['libxml2', '2.9.4+dfsg1-7+b3', 'libxml2 (2.9.4+dfsg1-7)', 'amd64', 'libs', 'optional', 'GNOME XML library'],
  ['openssh-client', '1:7.9p1-10+deb10u2', 'openssh', 'amd64', 'net', 'standard', 'secure shell (SSH) client, for secure access to remote machines'],
  ['openssh-server', '1:7.9p1-10+deb10u2', 'openssh', 'amd64', 'net', 'optional', 'secure shell (SSH) server, for secure access from remote machines'],
  ['openssh-sftp-server', '1:7.9p1-10+deb10u2', 'openssh', 'amd64', 'net', 'optional', 'secure shell (SSH) sftp server module, for SFTP access from remote machines'],
  ['openssl', '1.1.1d-0+deb10u3', null, 'amd64', 'utils', 'optional', 'Secure Sockets Layer toolkit - cryptographic utility'],
  ['sudo', '1.8.27-1+deb10u2', null, 'amd64', 'admin', 'optional', 'Provide limited super user privileges to specific users'],
]);

// ---------------------------------------------------------------------------------------------
// Ubuntu 16.04 (xenial), the ubuntu:16.04 image of 16.04.7 (September 2020) plus the demo's installs.

export const UBUNTU1604_BASE: DebPackage[] = debs([
  ['adduser', '3.113+nmu3ubuntu4', null, 'all', 'admin', 'required', 'add and remove users and groups'],
  ['apt', '1.2.32ubuntu0.1', null, 'amd64', 'admin', 'important', 'commandline package manager'],
  ['base-files', '9.4ubuntu4.13', null, 'amd64', 'admin', 'required', 'Debian base system miscellaneous files'],
  ['base-passwd', '3.5.39', null, 'amd64', 'admin', 'required', 'Debian base system master password and group files'],
  ['bash', '4.3-14ubuntu1.4', null, 'amd64', 'shells', 'required', 'GNU Bourne Again SHell'],
  ['bsdutils', '1:2.27.1-6ubuntu3.10', 'util-linux (2.27.1-6ubuntu3.10)', 'amd64', 'utils', 'required', 'basic utilities from 4.4BSD-Lite'],
  ['coreutils', '8.25-2ubuntu3~16.04', null, 'amd64', 'utils', 'required', 'GNU core utilities'],
  ['dash', '0.5.8-2.1ubuntu2', null, 'amd64', 'shells', 'required', 'POSIX-compliant shell'],
  ['debconf', '1.5.58ubuntu2', null, 'all', 'admin', 'required', 'Debian configuration management system'],
  ['debianutils', '4.7', null, 'amd64', 'utils', 'required', 'Miscellaneous utilities specific to Debian'],
  ['diffutils', '1:3.3-3', null, 'amd64', 'utils', 'required', 'File comparison utilities'],
  ['dpkg', '1.18.4ubuntu1.6', null, 'amd64', 'admin', 'required', 'Debian package management system'],
  ['e2fslibs', '1.42.13-1ubuntu1.2', 'e2fsprogs', 'amd64', 'libs', 'required', 'ext2/ext3/ext4 file system libraries'],
  ['e2fsprogs', '1.42.13-1ubuntu1.2', null, 'amd64', 'admin', 'required', 'ext2/ext3/ext4 file system utilities'],
  ['findutils', '4.6.0+git+20160126-2', null, 'amd64', 'utils', 'required', 'utilities for finding files--find, xargs'],
  ['gcc-5-base', '5.4.0-6ubuntu1~16.04.12', 'gcc-5', 'amd64', 'libs', 'required', 'GCC, the GNU Compiler Collection (base package)'],
  ['gpgv', '1.4.20-1ubuntu3.3', 'gnupg', 'amd64', 'utils', 'important', 'GNU privacy guard - signature verification tool'],
  ['grep', '2.25-1~16.04.1', null, 'amd64', 'utils', 'required', 'GNU grep, egrep and fgrep'],
  ['gzip', '1.6-4ubuntu1', null, 'amd64', 'utils', 'required', 'GNU compression utilities'],
  ['hostname', '3.16ubuntu2', null, 'amd64', 'admin', 'required', 'utility to set/show the host name or domain name'],
  ['init-system-helpers', '1.29ubuntu4', null, 'all', 'admin', 'required', 'helper tools for all init systems'],
  ['libacl1', '2.2.52-3', 'acl', 'amd64', 'libs', 'required', 'Access control list shared library'],
  ['libapparmor1', '2.10.95-0ubuntu2.11', 'apparmor', 'amd64', 'libs', 'optional', 'changehat AppArmor library'],
  ['libapt-pkg5.0', '1.2.32ubuntu0.1', 'apt', 'amd64', 'libs', 'important', 'package management runtime library'],
  ['libattr1', '1:2.4.47-2', 'attr', 'amd64', 'libs', 'required', 'Extended attribute shared library'],
  ['libaudit-common', '1:2.4.5-1ubuntu2.1', 'audit', 'all', 'libs', 'required', 'Dynamic library for security auditing - common files'],
  ['libaudit1', '1:2.4.5-1ubuntu2.1', 'audit', 'amd64', 'libs', 'required', 'Dynamic library for security auditing'],
  ['libblkid1', '2.27.1-6ubuntu3.10', 'util-linux', 'amd64', 'libs', 'required', 'block device ID library'],
  ['libbz2-1.0', '1.0.6-8ubuntu0.2', 'bzip2', 'amd64', 'libs', 'important', 'high-quality block-sorting file compressor library - runtime'],
  ['libc-bin', '2.23-0ubuntu11.2', 'glibc', 'amd64', 'libs', 'required', 'GNU C Library: Binaries'],
  ['libc6', '2.23-0ubuntu11.2', 'glibc', 'amd64', 'libs', 'required', 'GNU C Library: Shared libraries'],
  ['libcap2', '1:2.24-12', null, 'amd64', 'libs', 'standard', 'POSIX 1003.1e capabilities (library)'],
  ['libcomerr2', '1.42.13-1ubuntu1.2', 'e2fsprogs', 'amd64', 'libs', 'required', 'common error description library'],
  ['libdb5.3', '5.3.28-11ubuntu0.2', 'db5.3', 'amd64', 'libs', 'required', 'Berkeley v5.3 Database Libraries [runtime]'],
  ['libdebconfclient0', '0.198ubuntu1', 'cdebconf', 'amd64', 'libs', 'required', 'Debian Configuration Management System (C-implementation library)'],
  ['libfdisk1', '2.27.1-6ubuntu3.10', 'util-linux', 'amd64', 'libs', 'required', 'fdisk partitioning library'],
  ['libgcc1', '1:6.0.1-0ubuntu1', 'gcc-6 (6.0.1-0ubuntu1)', 'amd64', 'libs', 'required', 'GCC support library'],
  ['libgcrypt20', '1.6.5-2ubuntu0.6', null, 'amd64', 'libs', 'standard', 'LGPL Crypto library - runtime library'],
  ['libgpg-error0', '1.21-2ubuntu1', 'libgpg-error', 'amd64', 'libs', 'standard', 'library for common error values and messages in GnuPG components'],
  ['liblz4-1', '0.0~r131-2ubuntu2', 'lz4', 'amd64', 'libs', 'required', 'Fast LZ compression algorithm library - runtime'],
  ['liblzma5', '5.1.1alpha+20120614-2ubuntu2', 'xz-utils', 'amd64', 'libs', 'required', 'XZ-format compression library'],
  ['libmount1', '2.27.1-6ubuntu3.10', 'util-linux', 'amd64', 'libs', 'required', 'device mounting library'],
  ['libncurses5', '6.0+20160213-1ubuntu1', 'ncurses', 'amd64', 'libs', 'required', 'shared libraries for terminal handling'],
  ['libncursesw5', '6.0+20160213-1ubuntu1', 'ncurses', 'amd64', 'libs', 'important', 'shared libraries for terminal handling (wide character support)'],
  ['libpam-modules', '1.1.8-3.2ubuntu2.3', 'pam', 'amd64', 'admin', 'required', 'Pluggable Authentication Modules for PAM'],
  ['libpam-modules-bin', '1.1.8-3.2ubuntu2.3', 'pam', 'amd64', 'admin', 'required', 'Pluggable Authentication Modules for PAM - helper binaries'],
  ['libpam-runtime', '1.1.8-3.2ubuntu2.3', 'pam', 'all', 'admin', 'required', 'Runtime support for the PAM library'],
  ['libpam0g', '1.1.8-3.2ubuntu2.3', 'pam', 'amd64', 'libs', 'required', 'Pluggable Authentication Modules library'],
  ['libpcre3', '2:8.38-3.1', 'pcre3', 'amd64', 'libs', 'required', 'Perl 5 Compatible Regular Expression Library - runtime files'],
  ['libselinux1', '2.4-3build2', 'libselinux', 'amd64', 'libs', 'required', 'SELinux runtime shared libraries'],
  ['libsemanage-common', '2.3-1build3', 'libsemanage', 'all', 'libs', 'required', 'Common files for SELinux policy management libraries'],
  ['libsemanage1', '2.3-1build3', 'libsemanage', 'amd64', 'libs', 'required', 'SELinux policy management library'],
  ['libsepol1', '2.4-2', 'libsepol', 'amd64', 'libs', 'required', 'SELinux library for manipulating binary security policies'],
  ['libsmartcols1', '2.27.1-6ubuntu3.10', 'util-linux', 'amd64', 'libs', 'required', 'smart column output alignment library'],
  ['libss2', '1.42.13-1ubuntu1.2', 'e2fsprogs', 'amd64', 'libs', 'required', 'command-line interface parsing library'],
  ['libstdc++6', '5.4.0-6ubuntu1~16.04.12', 'gcc-5', 'amd64', 'libs', 'important', 'GNU Standard C++ Library v3'],
  ['libsystemd0', '229-4ubuntu21.28', 'systemd', 'amd64', 'libs', 'required', 'systemd utility library'],
  ['libtinfo5', '6.0+20160213-1ubuntu1', 'ncurses', 'amd64', 'libs', 'required', 'shared low-level terminfo library for terminal handling'],
  ['libudev1', '229-4ubuntu21.28', 'systemd', 'amd64', 'libs', 'important', 'libudev shared library'],
  ['libuuid1', '2.27.1-6ubuntu3.10', 'util-linux', 'amd64', 'libs', 'required', 'Universally Unique ID library'],
  ['login', '1:4.2-3.1ubuntu5.4', 'shadow', 'amd64', 'admin', 'required', 'system login tools'],
  ['lsb-base', '9.20160110ubuntu0.2', 'lsb', 'all', 'misc', 'required', 'Linux Standard Base init script functionality'],
  ['mawk', '1.3.3-17ubuntu2', null, 'amd64', 'interpreters', 'required', 'a pattern scanning and text processing language'],
  ['mount', '2.27.1-6ubuntu3.10', 'util-linux', 'amd64', 'admin', 'required', 'tools for mounting and manipulating filesystems'],
  ['multiarch-support', '2.23-0ubuntu11.2', 'glibc', 'amd64', 'libs', 'required', 'Transitional package to ensure multiarch compatibility'],
  ['ncurses-base', '6.0+20160213-1ubuntu1', 'ncurses', 'all', 'misc', 'required', 'basic terminal type definitions'],
  ['ncurses-bin', '6.0+20160213-1ubuntu1', 'ncurses', 'amd64', 'utils', 'required', 'terminal-related programs and man pages'],
  ['passwd', '1:4.2-3.1ubuntu5.4', 'shadow', 'amd64', 'admin', 'required', 'change and administer password and group data'],
  ['perl-base', '5.22.1-9ubuntu0.6', 'perl', 'amd64', 'perl', 'required', 'minimal Perl system'],
  ['procps', '2:3.3.10-4ubuntu2.5', null, 'amd64', 'admin', 'important', '/proc file system utilities'],
  ['sed', '4.2.2-7', null, 'amd64', 'utils', 'required', 'The GNU sed stream editor'],
  ['sensible-utils', '0.0.9ubuntu0.16.04.1', null, 'all', 'utils', 'required', 'Utilities for sensible alternative selection'],
  ['systemd', '229-4ubuntu21.28', null, 'amd64', 'admin', 'required', 'system and service manager'],
  ['systemd-sysv', '229-4ubuntu21.28', 'systemd', 'amd64', 'admin', 'required', 'system and service manager - SysV links'],
  ['sysv-rc', '2.88dsf-59.3ubuntu2', 'sysvinit', 'all', 'admin', 'required', 'System-V-like runlevel change mechanism'],
  ['sysvinit-utils', '2.88dsf-59.3ubuntu2', 'sysvinit', 'amd64', 'admin', 'required', 'System-V-like utilities'],
  ['tar', '1.28-2.1ubuntu0.1', null, 'amd64', 'utils', 'required', 'GNU version of the tar archiving utility'],
  ['ubuntu-keyring', '2012.05.19.1', null, 'all', 'misc', 'important', 'GnuPG keys of the Ubuntu archive'],
  ['util-linux', '2.27.1-6ubuntu3.10', null, 'amd64', 'utils', 'required', 'miscellaneous system utilities'],
  ['zlib1g', '1:1.2.8.dfsg-2ubuntu4.3', 'zlib', 'amd64', 'libs', 'required', 'compression library - runtime'],
]);

export const UBUNTU1604_ADDED: DebPackage[] = debs([
  ['ca-certificates', '20190110~16.04.1', null, 'all', 'misc', 'important', 'Common CA certificates'],
  ['curl', '7.47.0-1ubuntu2.16', null, 'amd64', 'web', 'optional', 'command line tool for transferring data with URL syntax'],
  ['libcurl3-gnutls', '7.47.0-1ubuntu2.16', 'curl', 'amd64', 'libs', 'optional', 'easy-to-use client-side URL transfer library (GnuTLS flavour)'],
  ['libgssapi-krb5-2', '1.13.2+dfsg-5ubuntu2.1', 'krb5', 'amd64', 'libs', 'standard', 'MIT Kerberos runtime libraries - krb5 GSS-API Mechanism'],
  ['libk5crypto3', '1.13.2+dfsg-5ubuntu2.1', 'krb5', 'amd64', 'libs', 'standard', 'MIT Kerberos runtime libraries - Crypto Library'],
  ['libkeyutils1', '1.5.9-8ubuntu1', 'keyutils', 'amd64', 'misc', 'standard', 'Linux Key Management Utilities (library)'],
  ['libkrb5-3', '1.13.2+dfsg-5ubuntu2.1', 'krb5', 'amd64', 'libs', 'standard', 'MIT Kerberos runtime libraries'],
  ['libkrb5support0', '1.13.2+dfsg-5ubuntu2.1', 'krb5', 'amd64', 'libs', 'standard', 'MIT Kerberos runtime libraries - Support library'],
  ['libssl1.0.0', '1.0.2g-1ubuntu4.16', 'openssl', 'amd64', 'libs', 'important', 'Secure Sockets Layer toolkit - shared libraries'],
  ['libwrap0', '7.6.q-25', 'tcp-wrappers', 'amd64', 'libs', 'important', "Wietse Venema's TCP wrappers library"],
  ['openssh-client', '1:7.2p2-4ubuntu2.10', 'openssh', 'amd64', 'net', 'standard', 'secure shell (SSH) client, for secure access to remote machines'],
  ['openssh-server', '1:7.2p2-4ubuntu2.10', 'openssh', 'amd64', 'net', 'optional', 'secure shell (SSH) server, for secure access from remote machines'],
  ['openssh-sftp-server', '1:7.2p2-4ubuntu2.10', 'openssh', 'amd64', 'net', 'optional', 'secure shell (SSH) sftp server module, for SFTP access from remote machines'],
  ['openssl', '1.0.2g-1ubuntu4.16', null, 'amd64', 'utils', 'standard', 'Secure Sockets Layer toolkit - cryptographic utility'],
  ['sudo', '1.8.16-0ubuntu1.9', null, 'amd64', 'admin', 'optional', 'Provide limited super user privileges to specific users'],
]);

// ---------------------------------------------------------------------------------------------
// Alpine 3.18: the alpine:3.18.0 base set (as its lib/apk/db/installed lists it) plus
// `apk add curl python3 nodejs`.

const ALPINE = 'https://alpinelinux.org';
const apk = (name: string, version: string, origin: string, license: string, description: string, url = ALPINE, files?: string[]): ApkPackage => ({
  name,
  version,
  origin,
  license,
  description,
  url,
  ...(files ? { files } : {}),
});

export const ALPINE318_BASE: ApkPackage[] = [
  apk('alpine-baselayout', '3.4.3-r1', 'alpine-baselayout', 'GPL-2.0-only', 'Alpine base dir structure and init scripts', 'https://git.alpinelinux.org/cgit/aports/tree/main/alpine-baselayout', ['etc/motd', 'etc/crontabs/root']),
  apk('alpine-baselayout-data', '3.4.3-r1', 'alpine-baselayout', 'GPL-2.0-only', 'Alpine base dir structure and init scripts', 'https://git.alpinelinux.org/cgit/aports/tree/main/alpine-baselayout', ['etc/fstab', 'etc/group', 'etc/hostname', 'etc/hosts', 'etc/inittab', 'etc/passwd', 'etc/profile', 'etc/shadow']),
  apk('alpine-keys', '2.4-r1', 'alpine-keys', 'MIT', 'Public keys for Alpine Linux packages'),
  apk('apk-tools', '2.14.0-r0', 'apk-tools', 'GPL-2.0-only', 'Alpine Package Keeper - package manager for alpine', 'https://gitlab.alpinelinux.org/alpine/apk-tools', ['sbin/apk']),
  apk('busybox', '1.36.0-r9', 'busybox', 'GPL-2.0-only', 'Size optimized toolbox of many common UNIX utilities', 'https://busybox.net/', ['bin/busybox']),
  apk('busybox-binsh', '1.36.0-r9', 'busybox', 'GPL-2.0-only', 'busybox ash /bin/sh', 'https://busybox.net/', ['bin/sh']),
  apk('ca-certificates-bundle', '20230506-r0', 'ca-certificates', 'MPL-2.0 AND MIT', 'Pre generated bundle of Mozilla certificates', 'https://www.mozilla.org/en-US/about/governance/policies/security-group/certs/', ['etc/ssl/certs/ca-certificates.crt']),
  apk('libc-utils', '0.7.2-r5', 'libc-dev', 'BSD-2-Clause AND BSD-3-Clause', 'Meta package to pull in correct libc'),
  apk('libcrypto3', '3.1.0-r4', 'openssl', 'Apache-2.0', 'Crypto library from openssl', 'https://www.openssl.org/', ['lib/libcrypto.so.3']),
  apk('libssl3', '3.1.0-r4', 'openssl', 'Apache-2.0', 'SSL shared libraries', 'https://www.openssl.org/', ['lib/libssl.so.3']),
  apk('musl', '1.2.4-r0', 'musl', 'MIT', 'the musl c library (libc) implementation', 'https://musl.libc.org/', ['lib/ld-musl-x86_64.so.1']),
  apk('musl-utils', '1.2.4-r0', 'musl', 'MIT AND BSD-2-Clause AND GPL-2.0-or-later', 'the musl c library (libc) implementation', 'https://musl.libc.org/', ['usr/bin/getent', 'usr/bin/ldd']),
  apk('scanelf', '1.3.7-r1', 'pax-utils', 'GPL-2.0-only', 'Scan ELF binaries for stuff', 'https://wiki.gentoo.org/wiki/Hardened/PaX_Utilities', ['usr/bin/scanelf']),
  apk('ssl_client', '1.36.0-r9', 'busybox', 'GPL-2.0-only', 'EXternal ssl_client for busybox wget', 'https://busybox.net/', ['usr/bin/ssl_client']),
  apk('zlib', '1.2.13-r1', 'zlib', 'Zlib', 'A compression/decompression Library', 'https://zlib.net/', ['lib/libz.so.1.2.13']),
];

export const ALPINE318_ADDED: ApkPackage[] = [
  apk('brotli-libs', '1.0.9-r14', 'brotli', 'MIT', 'Generic lossless compressor (libraries)', 'https://github.com/google/brotli'),
  apk('c-ares', '1.19.1-r0', 'c-ares', 'MIT', 'Asynchronous DNS/names resolver library', 'https://c-ares.org/'),
  apk('curl', '8.1.2-r0', 'curl', 'curl', 'URL retrival utility and library', 'https://curl.se/', ['usr/bin/curl']),
  apk('gdbm', '1.23-r1', 'gdbm', 'GPL-3.0-or-later', 'GNU dbm is a set of database routines that use extensible hashing', 'https://www.gnu.org/software/gdbm/'),
  apk('libbz2', '1.0.8-r5', 'bzip2', 'bzip2-1.0.6', 'Shared library for bz2', 'https://sourceware.org/bzip2/'),
  apk('libcurl', '8.1.2-r0', 'curl', 'curl', 'The multiprotocol file transfer library', 'https://curl.se/', ['usr/lib/libcurl.so.4']),
  apk('libexpat', '2.5.0-r1', 'expat', 'MIT', 'XML Parser library written in C (libraries)', 'https://libexpat.github.io/'),
  apk('libffi', '3.4.4-r2', 'libffi', 'MIT', 'portable, high level programming interface to various calling conventions.', 'https://sourceware.org/libffi/'),
  apk('libgcc', '12.2.1_git20220924-r10', 'gcc', 'GPL-2.0-or-later AND LGPL-2.1-or-later', 'GNU C compiler runtime libraries', 'https://gcc.gnu.org'),
  apk('libidn2', '2.3.4-r1', 'libidn2', 'GPL-2.0-or-later OR LGPL-3.0-or-later', 'Encode/Decode library for internationalized domain names', 'https://www.gnu.org/software/libidn#libidn2'),
  apk('libstdc++', '12.2.1_git20220924-r10', 'gcc', 'GPL-2.0-or-later AND LGPL-2.1-or-later', 'GNU C++ standard runtime library', 'https://gcc.gnu.org'),
  apk('libunistring', '1.1-r1', 'libunistring', 'GPL-2.0-or-later OR LGPL-3.0-or-later', 'Library for manipulating Unicode strings and C strings', 'https://www.gnu.org/software/libunistring/'),
  apk('mpdecimal', '2.5.1-r2', 'mpdecimal', 'BSD-2-Clause', 'complete implementation of the General Decimal Arithmetic Specification', 'https://www.bytereef.org/mpdecimal/index.html'),
  apk('ncurses-libs', '6.4_p20230506-r0', 'ncurses', 'X11', 'Ncurses libraries', 'https://invisible-island.net/ncurses/'),
  apk('ncurses-terminfo-base', '6.4_p20230506-r0', 'ncurses', 'X11', 'Descriptions of common terminals', 'https://invisible-island.net/ncurses/'),
  apk('nghttp2-libs', '1.53.0-r0', 'nghttp2', 'MIT', 'Experimental HTTP/2 client, server and proxy (libraries)', 'https://nghttp2.org'),
  apk('nodejs', '18.16.0-r1', 'nodejs', 'MIT', 'JavaScript runtime built on V8 engine - LTS version', 'https://nodejs.org/', ['usr/bin/node']),
  apk('python3', '3.11.4-r0', 'python3', 'PSF-2.0', 'A high-level scripting language', 'https://www.python.org/', ['usr/bin/python3.11']),
  apk('readline', '8.2.1-r1', 'readline', 'GPL-3.0-or-later', 'GNU readline library', 'https://tiswww.cwru.edu/php/chet/readline/rltop.html'),
  apk('sqlite-libs', '3.41.2-r2', 'sqlite', 'blessing', 'Sqlite3 library', 'https://www.sqlite.org/'),
  apk('xz-libs', '5.4.3-r0', 'xz', 'GPL-2.0-or-later AND 0BSD AND Public-Domain AND LGPL-2.1-or-later', 'Library and CLI tools for XZ and LZMA compressed files (libraries)', 'https://tukaani.org/xz'),
];

/** Installed with pip into the system Python of the Alpine image (PyPA advisories exist for each). */
export const ALPINE318_PYPI: LangPackage[] = [
  { name: 'certifi', version: '2020.12.5', license: 'MPL-2.0', summary: 'Python package for providing Mozilla\'s CA Bundle.' },
  { name: 'chardet', version: '4.0.0', license: 'LGPL', summary: 'Universal encoding detector for Python 2 and 3' },
  { name: 'idna', version: '2.10', license: 'BSD-like', summary: 'Internationalized Domain Names in Applications (IDNA)' },
  { name: 'Jinja2', version: '2.11.2', license: 'BSD-3-Clause', summary: 'A very fast and expressive template engine.' },
  { name: 'MarkupSafe', version: '1.1.1', license: 'BSD-3-Clause', summary: 'Safely add untrusted strings to HTML/XML markup.' },
  { name: 'PyYAML', version: '5.3.1', license: 'MIT', summary: 'YAML parser and emitter for Python' },
  { name: 'requests', version: '2.25.1', license: 'Apache 2.0', summary: 'Python HTTP for Humans.' },
  { name: 'urllib3', version: '1.26.4', license: 'MIT', summary: 'HTTP library with thread-safe connection pooling, file post, and more.' },
];

/** The web front end's node_modules (no npm feed is bundled, so these are inventory only). */
export const ALPINE318_NPM: LangPackage[] = [
  { name: 'body-parser', version: '1.19.0', license: 'MIT', summary: 'Node.js body parsing middleware' },
  { name: 'express', version: '4.17.1', license: 'MIT', summary: 'Fast, unopinionated, minimalist web framework' },
  { name: 'lodash', version: '4.17.15', license: 'MIT', summary: 'Lodash modular utilities.' },
  { name: 'minimist', version: '1.2.5', license: 'MIT', summary: 'parse argument options' },
  { name: 'qs', version: '6.7.0', license: 'BSD-3-Clause', summary: 'A querystring parser that supports nesting and arrays, with a depth limit' },
];

/** The Go service in the Alpine image: toolchain and modules as its build info records them. */
export const ALPINE318_GO = {
  path: 'usr/local/bin/demo-api',
  goVersion: 'go1.20.4',
  main: { path: 'example.com/demo/api', version: '(devel)' } as GoModule,
  deps: [
    { path: 'github.com/gin-gonic/gin', version: 'v1.9.0' },
    { path: 'github.com/golang-jwt/jwt/v4', version: 'v4.4.3' },
    { path: 'golang.org/x/crypto', version: 'v0.7.0' },
    { path: 'golang.org/x/net', version: 'v0.8.0' },
    { path: 'golang.org/x/text', version: 'v0.8.0' },
    { path: 'gopkg.in/yaml.v3', version: 'v3.0.1' },
  ] as GoModule[],
};

/** Everything the demo images install, by advisory namespace, for the snapshot script. */
export interface DemoInventory {
  debian10: DebPackage[];
  ubuntu1604: DebPackage[];
  alpine318: ApkPackage[];
  pypi: LangPackage[];
  npm: LangPackage[];
  go: { goVersion: string; modules: GoModule[] };
}

export const DEMO_INVENTORY: DemoInventory = {
  debian10: [...DEBIAN10_BASE, ...DEBIAN10_ADDED],
  ubuntu1604: [...UBUNTU1604_BASE, ...UBUNTU1604_ADDED],
  alpine318: [...ALPINE318_BASE, ...ALPINE318_ADDED],
  pypi: ALPINE318_PYPI,
  npm: ALPINE318_NPM,
  go: { goVersion: ALPINE318_GO.goVersion, modules: ALPINE318_GO.deps },
};
