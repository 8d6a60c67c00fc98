/**
 * The indexed glob matcher (directory tests cached per directory, file-name lookups, expanded
 * braces) must agree with the plain glob → RegExp translation on every glob the rule set uses,
 * over image-like paths and generated ones, including files at the image root.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALLOW_PATHS } from '../../src/detect/sensitive/allow.js';
import { GlobIndex, GlobSet, globToRegExp } from '../../src/detect/sensitive/glob.js';
import { BUILTIN_RULES } from '../../src/detect/sensitive/rules/index.js';

const ruleGlobs = [...BUILTIN_RULES.content, ...BUILTIN_RULES.path, ...BUILTIN_RULES.struct, ...BUILTIN_RULES.magic].flatMap((r) => [...(r.paths ?? []), ...(r.excludePaths ?? [])]);
const GLOBS = [...new Set([...DEFAULT_ALLOW_PATHS, ...ruleGlobs, '**', '*.pem', 'a/{b/c,d}/e', '**/x/**/y', 'etc/**/*.conf', '**/*.so.*'])];

const PATHS = [
  '.env.production',
  'kubeconfig',
  'id_rsa',
  'server.pem',
  '.npmrc',
  'root/.ssh/id_rsa',
  'root/.aws/credentials',
  'home/app/.docker/config.json',
  'etc/ssh/ssh_host_rsa_key',
  'etc/kubernetes/admin.conf',
  'etc/ssl/certs/ca-certificates.crt',
  'usr/share/doc/openssl/README.md',
  'usr/lib/x86_64-linux-gnu/libssl.so.3',
  'usr/lib/python3.11/test/keycert.pem',
  'usr/lib/python3/dist-packages/requests/tests/key.pem',
  'app/node_modules/pkg/test/fixtures/key.pem',
  'app/node_modules/pkg/lib/index.js',
  'app/node_modules/@scope/pkg/docs/example.env',
  'srv/app/config/database.yml.example',
  'srv/app/.env.local',
  'srv/app/settings.py',
  'srv/app/local_settings.py',
  'opt/app/application-prod.yml',
  'a/b/c/e',
  'a/d/e',
  'x/q/y',
  'x/y',
  'var/lib/dpkg/status',
  'go/src/pkg/testdata/cert.pem',
  'tls/server.key',
  'sample.conf',
  'conf/sample-config.ini',
  'photo.PNG',
  'img/photo.png',
];

const reference = (globs: string[], path: string) => globs.flatMap((g, i) => (globToRegExp(g).test(path) ? [i] : []));

describe('glob matcher', () => {
  it('agrees with the RegExp translation for every rule and allowlist glob', () => {
    const index = new GlobIndex(GLOBS);
    for (const p of PATHS) expect(index.match(p), p).toEqual(reference(GLOBS, p));
    // Asked again (directory results cached), and in another order, the answers stay the same.
    for (const p of [...PATHS].reverse()) expect(index.match(p), p).toEqual(reference(GLOBS, p));
  });

  it('agrees on generated paths', () => {
    const seg = fc.constantFrom('usr', 'lib', 'node_modules', 'test', 'tests', 'docs', 'etc', '.ssh', '.kube', 'kubernetes', 'python3.11', 'site-packages', 'app', 'a', 'b', 'x', 'y', 'd', 'c', '.git', 'objects', 'config', 'share', 'doc');
    const base = fc.constantFrom('id_rsa', '.env', '.env.prod', 'settings.py', 'key.pem', 'a.so.1', 'README.md', 'example.env', 'app.example', 'credentials', 'config.json', 'e', 'y', 'kubeconfig', 'x.png', 'secrets.yaml', 'status');
    const index = new GlobIndex(GLOBS);
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 6 }), base, (dirs, b) => {
        const p = [...dirs, b].join('/');
        expect(index.match(p)).toEqual(reference(GLOBS, p));
      }),
      { numRuns: 3000 },
    );
  });

  it('a glob under `**/` matches files at the image root too', () => {
    expect(new GlobSet(['**/.env.*']).matches('.env.production')).toBe(true);
    expect(new GlobSet(['**/kubeconfig*']).matches('kubeconfig')).toBe(true);
    expect(new GlobSet(['etc/**']).matches('etc')).toBe(false);
    expect(new GlobSet(['etc/**']).matches('etc/a/b')).toBe(true);
  });

  it('a brace without its partner is a literal character, not an error', () => {
    // `--skip-secret-paths a/{b,c}/**` reaches the rule set split at the comma.
    for (const g of ['a/{b', 'c}/**', 'x{y,z', 'x{y{a,b}', '{2,']) expect(() => new GlobSet([g]), g).not.toThrow();
    expect(new GlobSet(['a/{b']).matches('a/{b')).toBe(true);
    expect(new GlobSet(['c}/**']).matches('c}/d')).toBe(true);
    expect(new GlobSet(['x{y{a,b}']).matches('x{ya')).toBe(true);
    expect(new GlobSet(['x{y{a,b}']).matches('xya')).toBe(false);
    expect(new GlobSet(['{2,']).matches('{2,')).toBe(true);
    expect(new GlobIndex(['a/{b', 'a/{b,c}/d']).match('a/c/d')).toEqual([1]);
  });

  it('nocase sets fold the path and the globs', () => {
    const set = new GlobSet(['**/*.{PNG,jpg}', 'Docs/**'], true);
    expect(set.matches('img/photo.png')).toBe(true);
    expect(set.matches('IMG/PHOTO.JPG')).toBe(true);
    expect(set.matches('docs/a/b.txt')).toBe(true);
    expect(set.matches('img/photo.gif')).toBe(false);
  });
});
