/**
 * Client-tool configuration files: FTP/SFTP deploy configs of editors, FileZilla, cPanel ProFTPd,
 * JetBrains, DBeaver, Robo 3T, .netrc, esmtp, OpenVPN, RDP, sshpass, htpasswd, Ventrilo, Firefox.
 * Most are found by name and confirmed by a stored password in their own syntax.
 */
import { contentLines, indexOfJsonValue, jsonStrings, parseJson } from '../formats.js';
import { isPlaceholder, isPlaceholderish } from '../validators.js';
import type { ContentRule, PathRule, StructHit, StructRule } from './types.js';

/** JSON configs with a `password`/`pass`/`passphrase` value (or a key file, reported as such). */
function jsonPasswords(names: string[], keyFileNames: string[] = []): (text: string) => StructHit[] {
  return (text) => {
    const doc = parseJson(text);
    if (doc === undefined) {
      // Editors write these by hand too; fall back to a line match.
      const hits: StructHit[] = [];
      for (const m of text.matchAll(/"(pass(?:word|phrase)?|userPassword)"\s*:\s*"([^"\n]{1,300})"/g)) if (!isPlaceholderish(m[2] ?? '')) hits.push({ secret: m[2], index: m.index ?? 0, detail: m[1] });
      return hits;
    }
    const hits: StructHit[] = [];
    for (const s of jsonStrings(doc)) {
      if (names.includes(s.key) && s.value !== '' && !isPlaceholderish(s.value)) hits.push({ secret: s.value, index: indexOfJsonValue(text, s.value), detail: s.key });
      else if (keyFileNames.includes(s.key) && s.value !== '') hits.push({ masked: `${s.key}: ****`, index: indexOfJsonValue(text, s.value), severity: 'low', rank: 60, detail: `private key file referenced (${s.key})` });
    }
    return hits;
  };
}

const protocolOf = (text: string): string => (/"(?:protocol|type|transport)"\s*:\s*"(s?ftps?|scp|ssh)"/i.exec(text)?.[1] ?? '').toLowerCase();

/** `.ftpconfig` is written by both Atom remote-ftp (ftp/sftp) and others: the protocol decides the key. */
const ftpConfig: StructRule = {
  id: 'ftp-client-config',
  key: 'ftp_cfg',
  family: 'ftp-client',
  fileType: true,
  paths: ['**/.ftpconfig', '**/ftpconfig.json', '**/.ftppass', '**/ws_ftp.ini', '**/WS_FTP.INI', '**/.sftpconfig', '**/deployment-config.json'],
  check(text, file) {
    if (/ws_ftp\.ini$/i.test(file.base)) {
      return [...text.matchAll(/^\s*PWD\s*=\s*(\S{3,300})/gim)].map((m) => ({ secret: m[1], index: m.index ?? 0, detail: 'WS_FTP PWD' }));
    }
    const sftp = file.base === '.sftpconfig' || file.base === 'deployment-config.json' || protocolOf(text) === 'sftp';
    return jsonPasswords(['pass', 'password', 'passphrase'], ['privatekey', 'privatekeypath', 'keyfile'])(text).map((h) => ({ ...h, key: sftp ? 'atom_sftp_cfg' : 'ftp_cfg' }));
  },
};

const sublimeSftp: StructRule = {
  id: 'sublime-sftp-config',
  key: 'sftp_cfg',
  fileType: true,
  paths: ['**/sftp-config.json', '**/sftp-config-alt*.json'],
  check: jsonPasswords(['password', 'passphrase'], ['ssh_key_file']),
};

const vscodeSftp: StructRule = {
  id: 'vscode-sftp',
  key: 'vscode_sftp',
  fileType: true,
  paths: ['**/.vscode/sftp.json'],
  check: jsonPasswords(['password', 'passphrase'], ['privatekeypath']),
};

const remoteSync: StructRule = {
  id: 'atom-remote-sync',
  key: 'atom_remote_sync',
  fileType: true,
  paths: ['**/.remote-sync.json'],
  check: jsonPasswords(['password', 'passphrase'], ['keyfile']),
};

const filezilla: StructRule = {
  id: 'filezilla-sites',
  key: 'filezilla_ftp',
  fileType: true,
  paths: ['**/.config/filezilla/sitemanager.xml', '**/.config/filezilla/recentservers.xml', '**/.filezilla/*.xml', '**/filezilla.xml', '**/FileZilla Server.xml', '**/sitemanager.xml', '**/recentservers.xml'],
  check(text) {
    if (!/filezilla/i.test(text.slice(0, 2048))) return [];
    const hits: StructHit[] = [];
    for (const m of text.matchAll(/<Pass(?:\s+encoding="base64")?>([^<]{1,500})<\/Pass>|<Option\s+name="Pass"(?:\s[^>]{0,100})?>([^<]{1,500})<\/Option>/g)) {
      const v = m[1] ?? m[2] ?? '';
      if (!isPlaceholder(v)) hits.push({ secret: v, index: m.index ?? 0, detail: 'stored FTP password (base64, not encrypted)' });
    }
    return hits;
  },
};

const proftpd: StructRule = {
  id: 'cpanel-proftpd-passwd',
  key: 'cpanel_proftpd',
  fileType: true,
  paths: ['**/proftpdpasswd', '**/etc/proftpd/passwd*', '**/cpmove-*/proftpdpasswd', '**/etc/proftpd/ftpd.passwd'],
  check(text) {
    return contentLines(text)
      .map(({ line, index }) => ({ m: /^([^:\s]{1,64}):(\$[0-9a-z]{1,2}\$[^:\s]{8,200}|[A-Za-z0-9./]{13}):/.exec(line), index }))
      .filter((x) => x.m)
      .map(({ m, index }) => ({ secret: m?.[2] ?? '', publicPrefix: (m?.[2] ?? '').startsWith('$') ? 3 : 0, index, detail: `password hash of FTP account ${m?.[1] ?? ''}` }));
  },
};

const jetbrains: PathRule[] = [
  { id: 'jetbrains-webservers', key: 'jetbrains_ides', paths: ['**/.idea/WebServers.xml', '**/.idea/deployment.xml'], label: 'JetBrains deployment server configuration', requireAny: ['password'], detail: 'stored server password (reversible encoding)' },
  { id: 'jetbrains-datasources', key: 'jetbrains_ides', paths: ['**/.idea/dataSources.xml', '**/.idea/dataSources.local.xml'], label: 'JetBrains data sources', requireAny: ['jdbc-url', 'user-name', 'password'] },
  { id: 'jetbrains-ssh', key: 'jetbrains_ides', paths: ['**/.idea/sshConfigs.xml'], label: 'JetBrains SSH configurations', requireAny: ['username', 'keypath', 'password'] },
  { id: 'jetbrains-workspace', key: 'jetbrains_ides', paths: ['**/.idea/workspace.xml'], label: 'JetBrains workspace', requireAny: ['password'] },
];

const dbeaver: PathRule[] = [
  {
    id: 'dbeaver-data-sources',
    key: 'dbeaver_database_cfg',
    paths: ['**/.dbeaver-data-sources.xml', '**/.dbeaver/data-sources*.json', '**/DBeaverData/workspace6/**/.dbeaver/*.json', '**/.dbeaver4/**/.dbeaver-data-sources.xml'],
    label: 'DBeaver data sources',
    requireAny: ['"connections"', '<data-source', 'password'],
  },
  {
    id: 'dbeaver-credentials',
    key: 'dbeaver_database_cfg',
    fileType: true,
    paths: ['**/.dbeaver/credentials-config.json'],
    label: 'DBeaver credentials-config.json',
    binary: true,
    detail: 'encrypted with a key hard-coded in DBeaver: effectively plaintext',
  },
];

const robomongo: StructRule = {
  id: 'robomongo-connections',
  key: 'robomongo_cred',
  fileType: true,
  paths: ['**/.config/robomongo/**/robomongo.json', '**/.3T/robo-3t/**/robo3t.json', '**/robomongo.json', '**/robo3t.json'],
  check: jsonPasswords(['userpassword', 'password', 'passphrase']),
};

/** `.netrc`: `machine <host> login <user> password <secret>` tokens, possibly across lines. */
const netrc: StructRule = {
  id: 'netrc',
  key: 'netrc_cfg',
  fileType: true,
  paths: ['**/.netrc', '**/_netrc', '**/netrc'],
  check(text) {
    const hits: StructHit[] = [];
    const re = /(?:^|\s)(machine\s+(\S{1,253})|default)(?:\s+(?:login|account)\s+\S{1,256}){0,2}\s+password\s+(\S{1,512})/g;
    for (let m = re.exec(text); m && hits.length < 50; m = re.exec(text)) {
      const v = m[3] ?? '';
      if (isPlaceholder(v)) continue;
      const host = m[2] ?? 'default';
      hits.push({ secret: v, index: m.index + m[0].lastIndexOf(v), detail: /heroku|github|gitlab/.test(host) ? `API token for ${host}` : `password for ${host}` });
    }
    return hits;
  },
};

const esmtp: StructRule = {
  id: 'esmtprc',
  key: 'esmtp_cfg',
  fileType: true,
  paths: ['**/.esmtprc', '**/etc/esmtprc', '**/esmtprc'],
  check(text) {
    return [...text.matchAll(/^\s*password\s*=?\s*("?)([^\s"]{1,256})\1/gm)].filter((m) => !isPlaceholder(m[2] ?? '')).map((m) => ({ secret: m[2], index: m.index ?? 0, detail: 'SMTP password' }));
  },
};

const openvpn: StructRule = {
  id: 'openvpn-client-profile',
  key: 'openvpn_cfg',
  family: 'openvpn',
  rank: 1,
  fileType: true,
  paths: ['**/*.ovpn', '**/etc/openvpn/**/*.conf', '**/*.ovpn.*'],
  check(text) {
    const hits: StructHit[] = [];
    const key = /<key>\s*(-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----)/.exec(text);
    if (key) hits.push({ masked: `<key>${key[1]}****`, index: key.index, detail: 'inline client private key' });
    const ta = /<(tls-auth|tls-crypt|tls-crypt-v2|secret)>\s*(?:#[^\n]*\n\s*)*-----BEGIN OpenVPN Static key V1-----/.exec(text);
    if (ta) hits.push({ masked: `<${ta[1]}>-----BEGIN OpenVPN Static key V1-----****`, index: ta.index, detail: `inline ${ta[1]} static key` });
    const pass = /^\s*auth-user-pass\s+(\S+)/m.exec(text);
    if (pass) hits.push({ masked: `auth-user-pass ${pass[1]?.slice(0, 60)} ****`, index: pass.index, severity: 'medium', rank: 60, detail: 'credentials file referenced by auth-user-pass' });
    return hits;
  },
};

const rdp: StructRule = {
  id: 'rdp-connection',
  key: 'rdp',
  fileType: true,
  binary: true,
  paths: ['**/*.rdp'],
  check(text) {
    const t = text.split('\0').join('');
    const pw = /password 51:b:([0-9A-Fa-f]{32,})/.exec(t);
    if (pw) return [{ secret: pw[1], index: pw.index, severity: 'high', detail: 'saved password (DPAPI blob)' }];
    const addr = /full address:s:(\S{1,253})/.exec(t);
    return addr ? [{ masked: `full address:s:${addr[1]?.slice(0, 60)} ****`, index: addr.index, detail: 'RDP connection file' }] : [];
  },
};

const sshpass: ContentRule[] = [
  {
    id: 'sshpass-password',
    key: 'sshpasswd',
    keywords: ['sshpass'],
    pattern: /sshpass[ \t]{1,4}-p[ \t]{0,4}(?<q>["']?)(?<secret>[^\s'"]{1,128})\k<q>/,
    before: 0,
    after: 160,
    generic: true,
    inConfig: true,
    validate: (s) => !s.startsWith('$') && !s.startsWith('-'),
  },
  {
    id: 'sshpass-env',
    key: 'sshpasswd',
    keywords: ['sshpass='],
    pattern: /(?<![A-Za-z0-9_])SSHPASS[ \t]{0,2}=[ \t]{0,2}(?<q>["']?)(?<secret>[^\s'"]{1,128})\k<q>/,
    before: 1,
    after: 140,
    generic: true,
    inConfig: true,
  },
  {
    id: 'expect-ssh-password',
    key: 'sshpasswd',
    keywords: ['spawn ssh', 'spawn scp', 'spawn sftp'],
    paths: ['**/*.exp', '**/*.expect', '**/*.sh', '**/*.tcl'],
    pattern: /spawn[ \t]{1,4}(?:ssh|scp|sftp)[^\n]{0,300}\n[\s\S]{0,300}?send[ \t]{1,4}(?:--[ \t]{1,4})?"(?<secret>[^"\\$\n]{1,128})\\r"/,
    before: 0,
    after: 700,
    generic: true,
    validate: () => ({ detail: 'password sent by an expect script' }),
  },
];

/** htpasswd: `user:hash`; DES, `{SHA}`, `$apr1$` and plain text are cheap to crack. */
const htpasswd: StructRule = {
  id: 'apache-htpasswd',
  key: 'apache_htpasswd',
  fileType: true,
  paths: ['**/.htpasswd', '**/htpasswd', '**/*.htpasswd', '**/etc/nginx/.htpasswd', '**/etc/apache2/.htpasswd', '**/htpasswd.*'],
  excludePaths: ['**/*.md', '**/*.html'],
  check(text) {
    const hits: StructHit[] = [];
    for (const { line, index } of contentLines(text)) {
      const m = /^([^:\s]{1,255}):(\S{1,255})$/.exec(line.trim());
      if (!m) continue;
      const hash = m[2] ?? '';
      const strong = /^\$2[aby]\$\d\d\$|^\$[56]\$/.test(hash);
      const scheme = /^\$2[aby]\$/.test(hash) ? 'bcrypt' : /^\$apr1\$/.test(hash) ? 'APR1-MD5' : hash.startsWith('{SHA}') ? 'SHA-1' : /^\$[56]\$/.test(hash) ? 'crypt-SHA' : /^[A-Za-z0-9./]{13}$/.test(hash) ? 'DES crypt' : 'plaintext';
      hits.push({ secret: hash, publicPrefix: scheme === 'plaintext' ? 0 : hash.indexOf('$', 3) > 0 ? Math.min(7, hash.indexOf('$', 3) + 1) : hash.startsWith('{SHA}') ? 5 : 0, index, severity: strong ? 'medium' : 'high', detail: `${scheme} hash for ${m[1]}${strong ? '' : ' (crackable)'}` });
    }
    return hits;
  },
};

const ventrilo: StructRule = {
  id: 'ventrilo-server-ini',
  key: 'ventrilo_voip',
  fileType: true,
  paths: ['**/ventrilo_srv.ini'],
  check: (text) => [...text.matchAll(/^\s*(Password|AdminPassword)\s*=\s*(\S{1,256})/gim)].map((m) => ({ secret: m[2], index: m.index ?? 0, detail: m[1] })),
};

const firefox: PathRule[] = [
  {
    id: 'firefox-logins-json',
    key: 'firefox_logins',
    fileType: true,
    paths: ['**/.mozilla/firefox/*/logins.json'],
    label: 'Firefox logins.json',
    requireAny: ['encryptedpassword'],
    detail: 'saved site passwords',
  },
  {
    id: 'firefox-key-db',
    key: 'firefox_logins',
    fileType: true,
    paths: ['**/.mozilla/firefox/*/key4.db', '**/.mozilla/firefox/*/key3.db', '**/.mozilla/firefox/*/signons.sqlite'],
    label: 'Firefox key database',
    binary: true,
    detail: 'decrypts logins.json when no primary password is set',
  },
];

export const clientContentRules: ContentRule[] = [...sshpass];
export const clientStructRules: StructRule[] = [ftpConfig, sublimeSftp, vscodeSftp, remoteSync, filezilla, proftpd, robomongo, netrc, esmtp, openvpn, rdp, htpasswd, ventrilo];
export const clientPathRules: PathRule[] = [...jetbrains, ...dbeaver, ...firefox];
