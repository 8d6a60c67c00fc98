/** Parsing edge cases the baseline catalog calls out: sshd_config, PAM, shadow, login.defs, sysctl, shell files, symlinks. */
import { describe, expect, it } from 'vitest';
import { MergedFilesystem } from '../../src/analysis/merged-fs.js';
import type { MergedFile } from '../../src/analysis/inventory.js';
import { globFiles } from '../../src/detect/baseline/fs-glob.js';
import { globMatches, segmentMatches } from '../../src/detect/baseline/path-patterns.js';
import { hashKind, isUsableHash, maskHash, parseKeyEquals, parseLoginDefs, parsePasswd, parseShadow } from '../../src/detect/baseline/parse/accounts.js';
import { pamArgs, pamStack, parsePamFile, tokenizePamLine } from '../../src/detect/baseline/parse/pam.js';
import { findTmout, findUmasks } from '../../src/detect/baseline/parse/shell-init.js';
import { effectiveAlgorithms, lookup, parseCryptoPolicyCmdline, parseSshdConfig, parseSshdTime, tokenizeSshdLine, wildcardMatch } from '../../src/detect/baseline/parse/sshd.js';
import { effectiveSysctl, normaliseSysctlKey } from '../../src/detect/baseline/parse/sysctl.js';
import { compiledDefaults } from '../../src/detect/baseline/ssh-defaults.js';
import { parseMaxStartups } from '../../src/detect/baseline/rules/ssh.js';
import { fixtureImage, inventoryOf } from './baseline-fixture.js';

function file(path: string, content: string, mode = 0o644): MergedFile {
  return { kind: 'file', path, mode, uid: 0, gid: 0, size: content.length, content, encoding: 'utf8', truncated: false, layerDiffId: 'sha256:x' };
}

function memFs(files: Record<string, string>, symlinks: Record<string, string> = {}) {
  const inv = { files: Object.fromEntries(Object.entries(files).map(([p, c]) => [p, file(p, c)])), symlinks };
  const fs = new MergedFilesystem(inv.files, inv.symlinks);
  return { fs, inv, sources: { read: (p: string) => fs.read(p), glob: (p: string) => globFiles(fs, inv, p) } };
}

describe('sshd_config', () => {
  it('tokenises keyword=value, quotes and trailing comments', () => {
    expect(tokenizeSshdLine('PermitRootLogin=no')).toEqual({ keyword: 'permitrootlogin', args: ['no'] });
    expect(tokenizeSshdLine('  Banner "/etc/my banner"  # legal')).toEqual({ keyword: 'banner', args: ['/etc/my banner'] });
    expect(tokenizeSshdLine('MaxAuthTries = 3')).toEqual({ keyword: 'maxauthtries', args: ['3'] });
    expect(tokenizeSshdLine('# PermitRootLogin yes')).toBeNull();
    expect(tokenizeSshdLine('   ')).toBeNull();
  });

  it('takes the first value of a keyword, case-insensitively, and accumulates list keywords', () => {
    const { sources } = memFs({ 'etc/ssh/sshd_config': 'permitrootlogin no\nPermitRootLogin yes\nAllowUsers a b\nAllowUsers c\n' });
    const cfg = parseSshdConfig('/etc/ssh/sshd_config', sources, { includeSupported: true });
    expect(lookup(cfg?.global ?? [], 'PermitRootLogin')?.args).toEqual(['no']);
    expect(lookup(cfg?.global ?? [], 'PermitRootLogin')?.source?.line).toBe(1);
    expect(lookup(cfg?.global ?? [], 'allowusers')?.args).toEqual(['a', 'b', 'c']);
    expect(lookup(cfg?.global ?? [], 'MaxAuthTries')).toBeNull();
  });

  it('keeps Match blocks apart from the global section', () => {
    const { sources } = memFs({ 'etc/ssh/sshd_config': 'X11Forwarding no\nMatch User admin\n  X11Forwarding yes\nMatch all\nPermitRootLogin yes\n' });
    const cfg = parseSshdConfig('/etc/ssh/sshd_config', sources, { includeSupported: true });
    expect(cfg?.global.map((d) => d.keyword)).toEqual(['x11forwarding']);
    expect(cfg?.matches.map((m) => [m.criteria, m.directives.map((d) => `${d.keyword}=${d.args[0]}`)])).toEqual([
      ['User admin', ['x11forwarding=yes']],
      ['all', ['permitrootlogin=yes']],
    ]);
  });

  it('splices Include files in place, globbed and sorted, relative to /etc/ssh; a Match inside an included file ends with it', () => {
    const { sources } = memFs({
      'etc/ssh/sshd_config': 'Include sshd_config.d/*.conf\nPermitRootLogin yes\nInclude /etc/ssh/extra.conf\n',
      'etc/ssh/sshd_config.d/20-b.conf': 'MaxAuthTries 4\n',
      'etc/ssh/sshd_config.d/10-a.conf': 'PermitRootLogin no\nMatch User x\nMaxAuthTries 9\n',
      'etc/ssh/sshd_config.d/notes.txt': 'MaxAuthTries 1\n',
      'etc/ssh/extra.conf': 'LoginGraceTime 30\n',
    });
    const cfg = parseSshdConfig('/etc/ssh/sshd_config', sources, { includeSupported: true });
    expect(cfg?.files).toEqual(['/etc/ssh/sshd_config', '/etc/ssh/sshd_config.d/10-a.conf', '/etc/ssh/sshd_config.d/20-b.conf', '/etc/ssh/extra.conf']);
    const g = cfg?.global ?? [];
    expect(lookup(g, 'PermitRootLogin')?.source?.file).toBe('/etc/ssh/sshd_config.d/10-a.conf'); // first match: the include precedes the main file's line
    expect(lookup(g, 'MaxAuthTries')?.args).toEqual(['4']); // 20-b.conf is back in the global section
    expect(lookup(g, 'LoginGraceTime')?.args).toEqual(['30']);
    expect(cfg?.matches[0]?.directives.map((d) => d.args[0])).toEqual(['9']);
  });

  it('ignores Include before OpenSSH 8.2 and notes that sshd would refuse it', () => {
    const { sources } = memFs({ 'etc/ssh/sshd_config': 'Include /etc/ssh/x.conf\n', 'etc/ssh/x.conf': 'PermitRootLogin no\n' });
    const cfg = parseSshdConfig('/etc/ssh/sshd_config', sources, { includeSupported: false });
    expect(cfg?.global).toEqual([]);
    expect(cfg?.notes[0]).toMatch(/8\.2/);
  });

  it('survives include loops', () => {
    const { sources } = memFs({ 'etc/ssh/sshd_config': 'Include /etc/ssh/sshd_config\nPort 22\n' });
    const cfg = parseSshdConfig('/etc/ssh/sshd_config', sources, { includeSupported: true });
    expect(cfg?.notes.some((n) => /too deeply/.test(n))).toBe(true);
  });

  it('computes effective algorithm lists with +, - (wildcards) and ^', () => {
    const d = ['a-ctr', 'b-gcm', 'c-cbc'];
    expect(effectiveAlgorithms(null, d)).toEqual(d);
    expect(effectiveAlgorithms('x,y', d)).toEqual(['x', 'y']);
    expect(effectiveAlgorithms('+3des-cbc,a-ctr', d)).toEqual([...d, '3des-cbc']);
    expect(effectiveAlgorithms('-*-cbc', d)).toEqual(['a-ctr', 'b-gcm']);
    expect(effectiveAlgorithms('^c-cbc', d)).toEqual(['c-cbc', 'a-ctr', 'b-gcm']);
    expect(wildcardMatch('hmac-*-96', 'hmac-sha1-96')).toBe(true);
    expect(wildcardMatch('a*b*c', 'a'.repeat(40))).toBe(false);
  });

  it('reads RHEL 8 crypto-policy options and sshd time values', () => {
    const opts = parseCryptoPolicyCmdline("CRYPTO_POLICY='-oCiphers=aes256-gcm@openssh.com,aes256-cbc -oMACs=hmac-sha2-256 -oKexAlgorithms=curve25519-sha256'\n", '/p');
    expect(opts.map((o) => [o.keyword, o.args[0]])).toEqual([
      ['ciphers', 'aes256-gcm@openssh.com,aes256-cbc'],
      ['macs', 'hmac-sha2-256'],
      ['kexalgorithms', 'curve25519-sha256'],
    ]);
    expect(parseSshdTime('120')).toBe(120);
    expect(parseSshdTime('1m30s')).toBe(90);
    expect(parseSshdTime('2M')).toBe(120);
    expect(parseSshdTime('1x')).toBeNull();
    expect(parseMaxStartups('10:30:60')).toEqual({ start: 10, rate: 30, full: 60 });
    expect(parseMaxStartups('8')).toEqual({ start: 8, rate: 100, full: 8 });
    expect(parseMaxStartups('a:b')).toBeNull();
  });

  it('uses per-build compiled defaults', () => {
    const rhel7 = compiledDefaults({ version: [7, 4], permitRootLoginDefault: 'yes', rhel7CipherDefaults: true, cryptoPolicy: 'none' });
    const deb12 = compiledDefaults({ version: [9, 2], permitRootLoginDefault: 'prohibit-password', rhel7CipherDefaults: false, cryptoPolicy: 'none' });
    expect(rhel7.permitrootlogin).toEqual(['yes']);
    expect(rhel7.ciphers?.[0]).toContain('aes256-cbc');
    expect(rhel7.kexalgorithms?.[0]).toContain('diffie-hellman-group14-sha1');
    expect(deb12.ciphers?.[0]).not.toContain('cbc');
    expect(deb12.kexalgorithms?.[0]).not.toContain('group14-sha1');
    expect(deb12.kexalgorithms?.[0]).toContain('sntrup761x25519-sha512@openssh.com');
  });

  it('applies the RHEL 8 command-line crypto policy over sshd_config, unless /etc/sysconfig/sshd overrides it', async () => {
    const layer = (extra: Array<{ path: string; content: string }>) => [
      { path: 'etc/os-release', type: 'file' as const, content: 'ID="rocky"\nVERSION_ID="8.9"\nNAME="Rocky Linux"\n' },
      { path: 'etc/ssh/sshd_config', type: 'file' as const, content: 'Ciphers aes256-gcm@openssh.com\n', mode: 0o600 },
      { path: 'usr/share/crypto-policies/DEFAULT/opensshserver.txt', type: 'file' as const, content: "CRYPTO_POLICY='-oCiphers=aes256-gcm@openssh.com,aes128-cbc -oMACs=hmac-sha2-256'\n" },
      { path: 'etc/crypto-policies/back-ends/opensshserver.config', type: 'symlink' as const, target: '/usr/share/crypto-policies/DEFAULT/opensshserver.txt' },
      ...extra.map((e) => ({ ...e, type: 'file' as const })),
    ];
    const { evaluateBaseline } = await import('../../src/detect/baseline/index.js');
    const run = async (extra: Array<{ path: string; content: string }>) =>
      evaluateBaseline(await inventoryOf({ layers: [{ entries: layer(extra) }] }), { standard: 'cn_standard', ruleIds: ['SSH-13'] }).summaries[0]?.rules[0];
    const policy = await run([]);
    expect(policy?.checkType).toBe('ssh');
    expect(policy?.status).toBe('failed');
    expect(policy?.evidence[0]?.file).toBe('/etc/crypto-policies/back-ends/opensshserver.config');
    const overridden = await run([{ path: 'etc/sysconfig/sshd', content: "CRYPTO_POLICY=\n" }]);
    expect(overridden?.status).toBe('passed');
  });
});

describe('runtime globs (sshd Include patterns come from the image)', () => {
  it('matches *, ? and [...] classes per segment', () => {
    expect(segmentMatches('*.conf', '50-redhat.conf')).toBe(true);
    expect(segmentMatches('*.conf', '.conf.bak')).toBe(false);
    expect(segmentMatches('[0-9]?-*.conf', '5x-a.conf')).toBe(true);
    expect(segmentMatches('[!0-9]*', '5abc')).toBe(false);
    expect(segmentMatches('a[', 'a[')).toBe(true);
    expect(globMatches('etc/ssh/*/x.conf', 'etc/ssh/d/x.conf')).toBe(true);
    expect(globMatches('etc/ssh/*/x.conf', 'etc/ssh/d/e/x.conf')).toBe(false);
  });

  it('stays fast on patterns built to backtrack', () => {
    const start = Date.now();
    expect(segmentMatches('*a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(4000))).toBe(false);
    expect(Date.now() - start).toBeLessThan(500);
  });
});

describe('PAM', () => {
  it('tokenises bracketed controls, escaped brackets and module arguments', () => {
    expect(tokenizePamLine('auth [success=1 default=ignore] pam_unix.so nullok')).toEqual(['auth', '[success=1 default=ignore]', 'pam_unix.so', 'nullok']);
    expect(tokenizePamLine('auth required pam_x.so [query=select a\\]b]')).toEqual(['auth', 'required', 'pam_x.so', '[query=select a]b]']);
  });

  it('parses optional (-) types, continuations and comments', () => {
    const lines = parsePamFile('-session optional pam_systemd.so\nauth required \\\n  pam_env.so # trailing\n#password required pam_deny.so\n', '/etc/pam.d/x');
    expect(lines.map((l) => [l.entry?.type, l.entry?.optional, l.entry?.module, l.line])).toEqual([
      ['session', true, 'pam_systemd.so', 1],
      ['auth', false, 'pam_env.so', 2],
    ]);
    expect(pamArgs({ ...(lines[0]?.entry as NonNullable<(typeof lines)[0]['entry']>), args: ['remember=5', 'use_authtok', 'REMEMBER=7'] })).toEqual(new Map([['remember', '7'], ['use_authtok', '']]));
  });

  it('flattens @include, include and substack recursively, and stops on loops', () => {
    const files: Record<string, string> = {
      '/etc/pam.d/sshd': '@include common-auth\naccount include system-account\nauth substack loop\n',
      '/etc/pam.d/common-auth': 'auth required pam_tally2.so deny=3\nauth [success=1 default=ignore] pam_unix.so\npassword required pam_unix.so\n',
      '/etc/pam.d/system-account': 'account required pam_unix.so\nauth required pam_never.so\n',
      '/etc/pam.d/loop': 'auth include loop\nauth required pam_deny.so\n',
    };
    const read = (p: string) => files[p];
    expect(pamStack(read, '/etc/pam.d/sshd', 'auth').map((e) => `${e.module}@${e.file}:${e.line}`)).toEqual([
      'pam_tally2.so@/etc/pam.d/common-auth:1',
      'pam_unix.so@/etc/pam.d/common-auth:2',
      'pam_deny.so@/etc/pam.d/loop:2',
    ]);
    expect(pamStack(read, 'sshd', 'account').map((e) => e.module)).toEqual(['pam_unix.so']);
  });
});

describe('account databases', () => {
  it('reads shadow fields, classifies hashes and masks them', () => {
    const s = parseShadow('root:$6$salt$hash:19000:0:99999:7:::\nbin:*:19000::::::\n+::::::::\nbad\n');
    expect(s.entries.map((e) => [e.name, e.lastChange, e.minDays, e.maxDays, e.warnDays])).toEqual([
      ['root', 19000, 0, 99999, 7],
      ['bin', 19000, null, null, null],
    ]);
    expect(s.nis).toHaveLength(1);
    const kinds = ['', '!', '!!', '*', '!*', '*LK*', '!$6$x$y', '$1$a$b', '$2b$10$x', '$5$r', '$6$r', '$y$j9T$a', '$gy$x', '$7$x', 'abcdefghijklm', '_J9..abcd', '$md5$x'].map(hashKind);
    expect(kinds).toEqual(['empty', 'locked', 'locked', 'locked', 'locked', 'locked', 'locked', 'md5', 'bcrypt', 'sha256', 'sha512', 'yescrypt', 'gost-yescrypt', 'scrypt', 'des', 'bsdi', 'sun-md5']);
    expect(isUsableHash('!$6$x$y')).toBe(false);
    expect(maskHash('$6$saltsalt$longhashvalue')).toBe('$6$...');
    expect(maskHash('abcdefghijklm')).toBe('<DES crypt>');
  });

  it('keeps the last duplicate of a login.defs key, as shadow-utils does', () => {
    const d = parseLoginDefs('PASS_MAX_DAYS 90\n# PASS_MAX_DAYS 1\nPASS_MAX_DAYS\t99999\nMAIL_DIR "/var/mail"\n');
    expect(d.get('PASS_MAX_DAYS')).toEqual({ value: '99999', line: 3 });
    expect(d.get('MAIL_DIR')?.value).toBe('/var/mail');
    expect(parseKeyEquals('minlen = 8\nenforce_for_root\n# minclass = 4\n').get('enforce_for_root')).toEqual({ value: '', line: 2 });
  });

  it('skips malformed passwd lines', () => {
    expect(parsePasswd('root:x:0:0:root:/root:/bin/bash\nbroken:x:zero:0::/:/bin/sh\nshort:x:1\n').entries.map((e) => e.name)).toEqual(['root']);
  });
});

describe('sysctl', () => {
  it('lets /etc/sysctl.d mask a same-named vendor file, orders by basename and reads sysctl.conf once', () => {
    const { fs, inv } = memFs(
      {
        'usr/lib/sysctl.d/50-default.conf': 'net.ipv4.conf.all.rp_filter = 1\nkernel.randomize_va_space = 0\n',
        'etc/sysctl.d/50-default.conf': 'net.ipv4.conf.all.rp_filter = 2\n',
        'usr/lib/sysctl.d/10-early.conf': 'net.ipv4.ip_forward = 1\n',
        'etc/sysctl.d/90-late.conf': 'net/ipv4/ip_forward = 0\n; comment\n-kernel.randomize_va_space = 2\n',
        'etc/sysctl.d/README': 'net.ipv4.ip_forward = 1\n',
        'etc/sysctl.conf': 'net.ipv4.tcp_syncookies = 0\n',
      },
      { 'etc/sysctl.d/99-sysctl.conf': '../sysctl.conf' },
    );
    const v = effectiveSysctl({ read: (p) => fs.read(p), list: (d) => globFiles(fs, inv, `${d}/*`), realPath: (p) => fs.resolve(p) });
    expect(v.get('net.ipv4.conf.all.rp_filter')).toMatchObject({ value: '2', file: '/etc/sysctl.d/50-default.conf' });
    expect(v.get('net.ipv4.ip_forward')).toMatchObject({ value: '0', file: '/etc/sysctl.d/90-late.conf', line: 1 });
    expect(v.get('kernel.randomize_va_space')?.value).toBe('2');
    expect(v.get('net.ipv4.tcp_syncookies')).toMatchObject({ value: '0', file: '/etc/sysctl.d/99-sysctl.conf' });
    expect(normaliseSysctlKey('net/ipv4/conf/all/log_martians')).toBe('net.ipv4.conf.all.log_martians');
  });
});

describe('shell start-up files', () => {
  it('finds umask and TMOUT statements, skipping comments', () => {
    const text = '# umask 000\nif [ $UID -gt 199 ]; then\n    umask 002\nelse umask 027; fi\nTMOUT=600\nreadonly TMOUT=300; export TMOUT\ndeclare -r TMOUT="900"\necho TMOUT=5\n';
    expect(findUmasks(text, '/etc/profile').map((u) => [u.line, u.value.toString(8)])).toEqual([
      [3, '2'],
      [4, '27'],
    ]);
    expect(findTmout(text, '/etc/profile').map((t) => [t.line, t.value])).toEqual([
      [5, 600],
      [6, 300],
      [7, 900],
    ]);
  });
});

describe('symlinks inside the image root', () => {
  it('resolves absolute and relative links, clamps .. at the root and stops on loops', () => {
    const { fs } = memFs(
      { 'etc/authselect/system-auth': 'auth required pam_faillock.so\n', 'usr/lib/os-release': 'ID=debian\n' },
      {
        'etc/pam.d/system-auth': '/etc/authselect/system-auth',
        'etc/os-release': '../usr/lib/os-release',
        'etc/escape': '../../../../usr/lib/os-release',
        'a': 'b',
        'b': 'a',
      },
    );
    expect(fs.read('/etc/pam.d/system-auth')).toContain('pam_faillock');
    expect(fs.read('/etc/os-release')).toBe('ID=debian\n');
    expect(fs.read('/etc/escape')).toBe('ID=debian\n');
    expect(fs.resolve('/a')).toBeNull();
  });

  it('reads a PAM stack through the RHEL 8 authselect symlink in a real layer walk', async () => {
    const inv = await fixtureImage('centos7/stock');
    expect(inv.symlinks['etc/pam.d/system-auth']).toBe('system-auth-ac');
    expect(MergedFilesystem.of(inv).read('/etc/pam.d/system-auth')).toContain('pam_pwquality.so');
  });
});
