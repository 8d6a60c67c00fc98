/**
 * The scanner's behaviour beyond single rules: streaming across chunk boundaries, large files,
 * binary handling, one finding per family, masking, allow rules, user options (custom rules,
 * path whitelist, ignore file), the image-config scan, the analyzer contract and report entries.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSensitiveAnalyzer, sensitiveAnalyzer } from '../../src/analysis/analyzers/sensitive.js';
import type { Inventory } from '../../src/analysis/inventory.js';
import type { EntryInfo, SensitiveFact } from '../../src/analysis/types.js';
import { TarsierError } from '../../src/errors.js';
import { scanImageConfig } from '../../src/detect/sensitive/config-scan.js';
import { AhoCorasick } from '../../src/detect/sensitive/aho-corasick.js';
import { detectSensitive } from '../../src/detect/sensitive/detect.js';
import { maskSecret } from '../../src/detect/sensitive/mask.js';
import { parseIgnoreFile, type CustomRuleSpec } from '../../src/detect/sensitive/options.js';
import { CompiledRuleSet } from '../../src/detect/sensitive/ruleset.js';
import { FileScanner, scanBuffer } from '../../src/detect/sensitive/scanner.js';
import * as F from './sensitive-fixtures.js';
import { ALNUM, password, rand, UPPER_NUM } from './sensitive-fixtures.js';

const rules = new CompiledRuleSet();
const keys = (p: string, data: string | Buffer, rs = rules, chunkSize?: number) => scanBuffer(rs, p, data, { chunkSize }).map((f) => f.key);

const ghp = `ghp_${rand(ALNUM, 36)}`;
const awsId = `AKIA${rand(UPPER_NUM, 16)}`;
const slack = `xoxb-${rand('0123456789', 12)}-${rand('0123456789', 13)}-${rand(ALNUM, 24)}`;
const mixed = [
  '# deployment notes',
  `export GITHUB_TOKEN=${ghp}`,
  'some filler text '.repeat(20),
  `aws_key = "${awsId}"`,
  F.RSA_PKCS1.trim(),
  `SLACK=${slack}`,
  '',
].join('\n');

describe('streaming', () => {
  it('finds the same secrets, lines and md5 whatever the chunk boundaries', () => {
    const whole = scanBuffer(rules, 'srv/app/notes.txt', mixed);
    expect(whole.map((f) => f.key).sort()).toEqual(['aws_access_key', 'github_personal_token', 'rsa_private_key', 'slack_token']);
    expect(whole.find((f) => f.key === 'github_personal_token')?.line).toBe(2);
    expect(whole.find((f) => f.key === 'slack_token')?.line).toBe(mixed.split('\n').findIndex((l) => l.startsWith('SLACK')) + 1);
    expect(whole[0]?.md5).toBe(createHash('md5').update(mixed).digest('hex'));
    const buf = Buffer.from(mixed);
    // Two chunks split at every byte offset, and a few small fixed chunk sizes.
    for (let cut = 1; cut < buf.length; cut++) {
      const s = new FileScanner(rules, 'srv/app/notes.txt');
      s.write(buf.subarray(0, cut));
      s.write(buf.subarray(cut));
      expect(s.end(), `split at ${cut}`).toEqual(whole);
    }
    for (const size of [1, 2, 3, 7, 61, 509]) expect(scanBuffer(rules, 'srv/app/notes.txt', buf, { chunkSize: size }), `chunks of ${size}`).toEqual(whole);
  });

  it('scans a large file in 64 KiB chunks without holding it, finding secrets across chunk boundaries', () => {
    const chunk = 64 * 1024;
    const filler = Buffer.alloc(chunk, 'lorem ipsum dolor sit amet, consectetur adipiscing elit\n');
    const token = `glpat-${rand(ALNUM, 20)}`;
    const s = new FileScanner(rules, 'var/log/app/huge.log');
    const md5 = createHash('md5');
    let newlinesBefore = 0;
    const total = 160; // 10 MiB
    for (let i = 0; i < total; i++) {
      let piece = filler;
      if (i === 100) {
        // The token straddles the boundary between chunk 100 and 101.
        piece = Buffer.from(filler);
        piece.write(`token=${token.slice(0, 9)}`, chunk - 15);
      } else if (i === 101) {
        piece = Buffer.from(filler);
        piece.write(`${token.slice(9)}\n`, 0);
      }
      if (i < 100) newlinesBefore += piece.filter((b) => b === 10).length;
      if (i === 100) newlinesBefore += piece.subarray(0, chunk - 15).filter((b) => b === 10).length;
      md5.update(piece);
      s.write(piece);
    }
    const found = s.end();
    expect(found.map((f) => f.key)).toEqual(['gitLab_personal_token']);
    expect(found[0]?.md5).toBe(md5.digest('hex'));
    expect(found[0]?.line).toBe(newlinesBefore + 1);
  });

  it('the WebAssembly keyword loop and the JavaScript one agree', () => {
    const big = Buffer.concat([Buffer.from(mixed), Buffer.alloc(200_000, 'no secrets here, password reset link\n'), Buffer.from(mixed)]);
    const withWasm = scanBuffer(rules, 'srv/app/notes.txt', big, { chunkSize: 100_000 });
    AhoCorasick.useWasm = false;
    try {
      expect(scanBuffer(new CompiledRuleSet(), 'srv/app/notes.txt', big, { chunkSize: 100_000 })).toEqual(withWasm);
    } finally {
      AhoCorasick.useWasm = true;
    }
    expect(withWasm.map((f) => f.key).sort()).toEqual(['aws_access_key', 'github_personal_token', 'rsa_private_key', 'slack_token']);
  });

  it('skips the content of binary files but still checks their magic', () => {
    const text = `token=${ghp}\n`;
    expect(keys('srv/app/blob.bin', text)).toEqual(['github_personal_token']);
    expect(keys('srv/app/blob.bin', Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 0]), Buffer.from(text)]))).toEqual([]);
    expect(keys('srv/app/data.db', F.SQLITE_HEADER())).toEqual(['sqlite']);
  });

  it('reads UTF-16 files only for the rules made for them', () => {
    expect(keys('srv/app/token.txt', F.utf16(`token=${ghp}`))).toEqual([]);
    expect(keys('Users/a/server.rdp', F.utf16(`full address:s:10.0.0.1\r\npassword 51:b:${rand('0123456789ABCDEF', 64)}\r\n`))).toEqual(['rdp']);
  });
});

describe('one finding per file per family', () => {
  it('an id_rsa is one alert, classified by where it sits', () => {
    const twoKeys = `${F.RSA_PKCS1}\n${F.EC_SEC1}\n${F.RSA_PKCS8}`;
    expect(keys('root/.ssh/id_rsa', twoKeys)).toEqual(['ssh_private_key']);
    expect(keys('etc/kubernetes/pki/apiserver.key', F.RSA_PKCS1)).toEqual(['k8s_client_key']);
    expect(keys('srv/app/keys/combined.txt', twoKeys)).toEqual(['rsa_private_key']);
    const host = scanBuffer(rules, 'etc/ssh/ssh_host_ed25519_key', F.opensshKey());
    expect(host.map((f) => [f.key, f.severity])).toEqual([['ssh_private_key', 'medium']]);
    expect(host[0]?.detail).toMatch(/generated at build time/);
  });

  it('a credential file is one alert; a stronger token in it stays separate', () => {
    const creds = `[default]\naws_access_key_id = ${awsId}\naws_secret_access_key = ${rand(`${ALNUM}/+`, 40)}\n`;
    const found = scanBuffer(rules, 'root/.aws/credentials', creds);
    expect(found.map((f) => f.key)).toEqual(['aws_cli']);
    const wp = `<?php\ndefine('DB_PASSWORD', '${password()}');\n$aws = '${awsId}';\n$slack = '${slack}';\n`;
    expect(keys('var/www/html/wp-config.php', wp).sort()).toEqual(['aws_access_key', 'wordpress_database_cfg']);
    expect(scanBuffer(rules, 'var/www/html/wp-config.php', wp).find((f) => f.key === 'wordpress_database_cfg')?.detail).toMatch(/also holds slack_token/);
  });

  it('catch-alls give way to specific findings of at least their severity', () => {
    const env = `DB_PASSWORD=${password()}\nGITHUB_TOKEN=${ghp}\n`;
    expect(keys('srv/app/.env', env)).toEqual(['github_personal_token']);
    expect(keys('srv/app/.env', `DB_PASSWORD=${password()}\n`)).toEqual(['common_cred']);
  });
});

describe('masking', () => {
  it('shows a short prefix and ****, never the value', () => {
    expect(maskSecret('ghp_abcdefghijklmnopqrstuvwxyz0123456789', 4)).toBe('ghp_abcd****');
    expect(maskSecret('hunter2!', 0)).toBe('hu****');
    expect(maskSecret('abc', 0)).toBe('****');
    expect(maskSecret('line\nbreak', 0)).toBe('li****');
  });

  it('the analyzer output never contains a planted secret', async () => {
    const planted = [ghp, awsId, slack, F.RSA_PKCS1.split('\n')[1] as string];
    const sink = sensitiveAnalyzer.open(entry('srv/app/notes.txt', mixed.length), ctx);
    sink.write(Buffer.from(mixed));
    const facts = await sink.end();
    const json = JSON.stringify(facts);
    expect(facts).toHaveLength(4);
    for (const p of planted) expect(json).not.toContain(p);
    for (const p of planted) expect(json).not.toContain(p.slice(4, 16));
  });
});

describe('allow rules', () => {
  it('published example values and placeholders are not findings', () => {
    expect(keys('srv/app/x.env', 'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n')).toEqual([]);
    for (const v of ['${DB_PASSWORD}', '<password>', 'changeme', 'xxxxxxxx', '{{ .Values.password }}', '%DB_PASS%', 'YOUR_PASSWORD_HERE', '********']) {
      expect(keys('srv/app/.env', `DB_PASSWORD=${v}\n`), v).toEqual([]);
    }
  });

  it('real-world near misses found by scanning this machine are not findings', () => {
    // Debian package list: a package name of exactly the length of a Discord secret, a line below the vendor name.
    expect(keys('usr/share/package-lists/npm.tsv', 'discord-rpc-client\t1.0.0\t12\tclient\ndiscord-rich-presence-typescript\t0.0.8\t1248\trich presence wrapper\n')).toEqual([]);
    // A Rust documentation search index: base64-like data with `EAAA` in it is not a Square token.
    expect(keys('root/.rustup/toolchains/stable/share/doc/rust/html/search.index/56c5dc1e624f.js', `"q":"${'EAAABAF8'}${rand(ALNUM, 56)}"\n`)).toEqual([]);
    expect(keys('srv/shop/.env.js', `const SQUARE_ACCESS_TOKEN = "EAAA${rand(ALNUM, 60)}";\n`)).toEqual(['square_token']);
    // Perl source: a regular expression, not a connection string.
    expect(keys('srv/lib/DBIODBC.pm', ' \t/^(DSN=)(.*)(;UID=)(.*)(;PWD=)(.*)(;)$/;\n')).toEqual([]);
    // Tcl http documentation: the classic `xyzzy` placeholder.
    expect(keys('usr/share/tcltk/tcl8.6/tcl8/http-2.9.8.tm', '    #     http://jschmoe:xyzzy@www.bogus.net:8000/foo/bar.tml?q=foo#changes\n')).toEqual([]);
  });

  it('near misses and misses found on the 1 GiB benchmark tree', () => {
    // mariadb-hotcopy's embedded manual: placeholder words run together.
    expect(keys('usr/bin/mariadb-hotcopy', "  mysqlhotcopy --method='scp -Bq -i /usr/home/foo/.ssh/identity' --user=root --password=secretpassword \\\n")).toEqual([]);
    // secretlint's own source: a regular expression after `_authToken=`, not a token.
    expect(keys('app/node_modules/x/module/index.js', '    const AuthTokenPattern = /_authToken=([^$].*)/g;\n')).toEqual([]);
    expect(keys('srv/app/.npmrc', `//registry.example.com/:_authToken=${rand(ALNUM, 40)}\n`)).toEqual(['npm_token']);
    // Random secrets that happen to contain a placeholder word between digits or at an end are secrets.
    for (const v of ['togNh0oIfeyyqMIkRHatWXt9Q3MY', 'MYGN1YqxYS02uBfyObId5LsTPvkH', 'mCrKtd4woXxn5VUKnSO6H1WmD7my', 'k2Fake9xQ7rT4pLm8vN3bW6sYz1A']) {
      expect(keys('srv/app/.env', `API_SECRET=${v}\n`), v).toEqual(['common_cred']);
    }
    for (const v of ['my_api_key', 'your-password', 'mysecrettoken', 'SUPER_SECRET_PASSWORD']) expect(keys('srv/app/.env', `API_SECRET=${v}\n`), v).toEqual([]);
  });

  it('generic rules need entropy; fixed-prefix tokens do not', () => {
    expect(keys('srv/app/app.conf', 'api_key = abcdefabcdef\n')).toEqual([]);
    expect(keys('srv/app/app.conf', `api_key = ${rand(ALNUM, 32)}\n`)).toEqual(['common_cred']);
    expect(keys('srv/app/app.conf', 'session_timeout_token = 1800s\n')).toEqual([]);
  });

  it('docs, package test fixtures, trust stores and media are not read', () => {
    for (const p of ['usr/share/doc/openssl/demo.key', 'usr/lib/node_modules/npm/node_modules/x/test/fixtures/key.pem', 'usr/local/lib/python3.11/site-packages/cryptography/hazmat/tests/key.pem', 'usr/lib/python3.11/test/keycert.pem', 'etc/ssl/certs/ca-certificates.crt', 'srv/app/README.md', 'srv/app/logo.png', 'srv/app/config.example', 'srv/app/example-secret.txt']) {
      expect(rules.wants(p, 100), p).toBe(false);
    }
    for (const p of ['srv/app/config.js', 'usr/lib/node_modules/app/index.js', 'root/.ssh/id_rsa', 'etc/nginx/tls/server.key']) expect(rules.wants(p, 100), p).toBe(true);
    expect(rules.wants('srv/app/empty', 0)).toBe(false);
  });

  it('certificates alone are not keys, and trust stores with certificates only are not keystores', () => {
    expect(keys('srv/app/server.pem', F.pem('CERTIFICATE', Buffer.concat([Buffer.from([0x30, 0x82, 0x03, 0x10]), F.randBytes(780)])))).toEqual([]);
    expect(keys('opt/app/truststore.jks', F.jks([2, 2]))).toEqual([]);
    expect(keys('opt/app/store.jks', F.jks([2, 2, 1]))).toEqual(['java_keystore']);
  });
});

describe('user options', () => {
  it('custom rules: keywords, regex with a secret group, allow list, paths; trivy rule1 expectations', () => {
    const corpus = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/secrets-corpus/trivy');
    if (!existsSync(corpus)) return;
    // trivy's rule1, rewritten for JavaScript (named group `secret`, no inline flags).
    const rule1: CustomRuleSpec = { id: 'rule1', name: 'Generic Rule', severity: 'high', keywords: ['secret'], pattern: `(?<key>secret)(?:=|:).{0,5}['"](?<secret>[0-9a-zA-Z\\-_=]{8,64})['"]`, flags: 'i' };
    const secretTxt = readFileSync(path.join(corpus, 'secret.txt'));
    const lines = (spec: CustomRuleSpec[], opts = {}) => scanBuffer(new CompiledRuleSet({ customRules: spec, ...opts }), 'srv/app/secret.txt', secretTxt).filter((f) => f.key === 'custom:rule1');
    // One finding per file per family; trivy reports lines 2 and 4: the first is ours.
    expect(lines([rule1]).map((f) => f.line)).toEqual([2]);
    expect(lines([{ ...rule1, keywords: ['bla'] }])).toEqual([]);
    expect(lines([{ ...rule1, allow: ['some'] }]).map((f) => f.line)).toEqual([4]);
    expect(lines([{ ...rule1, excludePaths: ['**/*.txt'] }])).toEqual([]);
    expect(new CompiledRuleSet({ customRules: [rule1], allowPaths: ['srv/app/*.txt'] }).wants('srv/app/secret.txt', 10)).toBe(false);
    const f = lines([rule1])[0];
    expect(f?.masked).toBe('so****');
    expect(f?.severity).toBe('high');
  });

  it('an empty paths list restricts nothing, also in files other rules restrict by path', () => {
    const acme = `acme_${rand('0123456789abcdef', 32)}`;
    const rs = new CompiledRuleSet({ customRules: [{ id: 'acme', keywords: ['acme_'], pattern: '(?<secret>acme_[0-9a-f]{32})', paths: [], excludePaths: [] }] });
    // notes.txt matches no rule's path glob; .env and app.conf match several (generic credential rules).
    for (const p of ['srv/app/notes.txt', 'srv/app/.env', 'srv/app/app.conf']) expect(keys(p, `KEY=${acme}\n`, rs), p).toContain('custom:acme');
  });

  it('rejects bad custom rules with one-line errors naming the rule', () => {
    const bad: Array<[Partial<CustomRuleSpec>, RegExp]> = [
      [{ keywords: [] }, /keywords must be a non-empty list/],
      [{ pattern: '(a+)+$' }, /nested quantifiers/],
      [{ pattern: '(\\w)\\1' }, /backreferences/],
      [{ pattern: '([' }, /invalid pattern/],
      [{ flags: 'g' }, /flags may only contain/],
      [{ severity: 'urgent' as never }, /severity must be/],
    ];
    for (const [patch, re] of bad) {
      const spec = { id: 'r1', keywords: ['tok'], pattern: 'tok=(\\w+)', ...patch } as CustomRuleSpec;
      let err: unknown;
      try {
        new CompiledRuleSet({ customRules: [spec] });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TarsierError);
      expect((err as TarsierError).message).toMatch(re);
      expect((err as TarsierError).message).toContain('custom rule "r1"');
      expect((err as TarsierError).message).not.toContain('\n');
    }
  });

  it('path whitelist, disabled keys and the ignore file', () => {
    const rs = new CompiledRuleSet({
      allowPaths: ['/opt/vendor/**'],
      disabledKeys: ['slack_token'],
      ignore: `# triaged\nsrv/legacy/**\ngithub_personal_token:srv/ci/*.sh\nmd5:${createHash('md5').update(`a=${awsId}\n`).digest('hex')}\n`,
    });
    expect(rs.wants('opt/vendor/lib/x.js', 10)).toBe(false);
    expect(rs.wants('srv/legacy/old.env', 10)).toBe(false);
    expect(keys('srv/ci/release.sh', `T=${ghp}\nS=${slack}\n`, rs)).toEqual([]);
    expect(keys('srv/ci/release.py', `T=${ghp}\n`, rs)).toEqual(['github_personal_token']);
    expect(keys('srv/app/a.txt', `a=${awsId}\n`, rs)).toEqual([]);
    expect(keys('srv/app/b.txt', `b=${awsId}\n`, rs)).toEqual(['aws_access_key']);
  });

  it('ignore-file and option errors name the line or value', () => {
    expect(() => parseIgnoreFile('ok/**\nmd5:1234\n', '.tarsierignore')).toThrow(/\.tarsierignore line 2: md5 must be 32 hex digits/);
    expect(() => new CompiledRuleSet({ disabledKeys: ['no_such_key'] })).toThrow(/disabled key "no_such_key" is not a sensitive-file key/);
    expect(() => new CompiledRuleSet({ allowValues: ['('] })).toThrow(/allow value #1: invalid pattern/);
    expect(parseIgnoreFile('aws_cli:root/**\nfoo:bar/**\n')).toEqual({ paths: ['foo:bar/**'], keyPaths: [{ key: 'aws_cli', glob: 'root/**' }], md5s: [] });
  });

  it('the analyzer version carries a hash of the rules and options', () => {
    const a = createSensitiveAnalyzer();
    expect(a.version).toBe(sensitiveAnalyzer.version);
    expect(a.version).toMatch(/^1\.[0-9a-f]{16}$/);
    expect(createSensitiveAnalyzer({ allowPaths: ['x/**'] }).version).not.toBe(a.version);
    expect(createSensitiveAnalyzer({ customRules: [{ id: 'c', keywords: ['zz'], pattern: 'zz(\\d+)' }] }).version).not.toBe(a.version);
    expect(a.scope).toBe('every-layer');
    expect(a.kind).toBe('stream');
  });
});

describe('image config', () => {
  const pw = password(16);
  const config = {
    config: { Env: ['PATH=/usr/local/bin:/usr/bin', `DB_PASSWORD=${pw}`, `GITHUB_TOKEN=${ghp}`], Labels: { maintainer: 'ops@example.com' } },
    history: [
      { created_by: '/bin/sh -c #(nop) ADD file:abc in /' },
      { created_by: `/bin/sh -c #(nop)  ENV DB_PASSWORD=${pw}`, empty_layer: true },
      { created_by: `|1 NPM_TOKEN=npm_${rand(ALNUM, 36)} /bin/sh -c npm ci` },
      { created_by: `/bin/sh -c sshpass -p '${pw}' scp app.tgz deploy@10.0.0.9:/srv/` },
    ],
  };

  it('scans ENV values and history lines', () => {
    const found = scanImageConfig(config);
    expect(found.map((f) => `${f.path}:${f.line} ${f.key}`).sort()).toEqual(['config:Env:2 common_cred', 'config:Env:3 github_personal_token', 'history[1]:1 common_cred', 'history[2]:1 npm_token', 'history[3]:1 sshpasswd']);
    expect(JSON.stringify(found)).not.toContain(pw);
    expect(JSON.stringify(found)).not.toContain(ghp);
  });

  it('finds nothing in the real image configs of the shared data', () => {
    const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/image-configs');
    if (!existsSync(dir)) return;
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json') && !f.endsWith('MANIFEST.json'));
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) {
      const doc = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Record<string, unknown>;
      const cfg = { config: (doc.config ?? doc.Config ?? doc.container_config) as never, history: (doc.history ?? []) as never };
      expect(scanImageConfig(cfg), f).toEqual([]);
    }
  });

  it('report entries: names, descriptions and advice in English and Chinese; layer of each finding', () => {
    const facts: SensitiveFact[] = [{ kind: 'sensitive', path: 'root/.ssh/id_rsa', key: 'ssh_private_key', severity: 'high', md5: 'a'.repeat(32), line: 1, masked: '-----BEGIN RSA PRIVATE KEY-----****', detail: 'RSA private key', rule: 'pem-private-key' }];
    const inv = {
      artifact: { ref: 'x', type: 'oci', digest: 'sha256:m', configDigest: 'sha256:c', size: 1, platform: 'linux/amd64', layers: [{ digest: 'sha256:l1', diffId: 'sha256:d1', size: 1 }, { digest: 'sha256:l2', diffId: 'sha256:d2', size: 1 }] },
      sensitive: facts.map((f) => ({ ...f, layerDigest: 'sha256:l1', layerDiffId: 'sha256:d1', visible: false })),
      config,
    } as unknown as Inventory;
    const en = detectSensitive(inv, { lang: 'en' });
    const zh = detectSensitive(inv, { lang: 'zh' });
    const key = en.find((e) => e.key === 'ssh_private_key');
    expect(key).toMatchObject({ name: 'SSH private key', severity: 'high', path: 'root/.ssh/id_rsa', layerDigest: 'sha256:l1', visible: false, line: 1 });
    expect(key?.description).toContain('(RSA private key)');
    expect(zh.find((e) => e.key === 'ssh_private_key')?.name).toBe('SSH 私钥');
    // ENV → the config; a history line → the layer it made (history[2] is the 2nd non-empty line).
    expect(en.find((e) => e.path === 'config:Env')?.layerDigest).toBe('sha256:c');
    expect(en.find((e) => e.key === 'npm_token')?.layerDigest).toBe('sha256:l2');
    // The ENV line and the history line that set it are one entry.
    expect(en.filter((e) => e.key === 'common_cred')).toHaveLength(1);
    expect(en.map((e) => e.severity)).toEqual([...en.map((e) => e.severity)].sort((a, b) => ['critical', 'high', 'medium', 'low'].indexOf(a) - ['critical', 'high', 'medium', 'low'].indexOf(b)));
    expect(JSON.stringify(en)).not.toContain(pw);
  });
});

const ctx = { diffId: 'sha256:test', warn: () => undefined };
function entry(p: string, size: number): EntryInfo {
  return { path: p, type: 'file', size, mode: 0o644, uid: 0, gid: 0 };
}
