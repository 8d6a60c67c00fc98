/**
 * The secret config and ignore files the CLI reads: fields map onto the engine's options, the
 * defaults in the working directory are used only when present, and every mistake names the file
 * and the field (or line) in one line.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSecretOptions, parseSecretConfig, secretRuleSet } from '../../src/detect/sensitive/config-file.js';
import { parseIgnoreFile } from '../../src/detect/sensitive/options.js';
import { scanBuffer } from '../../src/detect/sensitive/scanner.js';
import { TarsierError } from '../../src/errors.js';
import { ALNUM, HEX, rand } from './sensitive-fixtures.js';

const acme = `acme_${rand(HEX, 32)}`;
const ghp = `ghp_${rand(ALNUM, 36)}`;

const CONFIG = `
rules:
  - id: acme-api-key
    key: acme_api_key
    name: ACME API key
    severity: HIGH
    description: An ACME platform API key.
    advice: Revoke it in the ACME console.
    keywords: [acme_]
    regex: '(?<secret>acme_[0-9a-f]{32})'
    exclude-paths: ['srv/fixtures/**']
    min-length: 20
    allow: ['^acme_0{32}$']
disable-keys: [slack_token]
allow-paths: ['/opt/vendor/**']
allow-values: ['^ghp_ExampleExample']
`;

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tarsier-sensitive-cfg-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const keys = (rs: ReturnType<typeof secretRuleSet>, path: string, text: string) => (rs.wants(path, text.length) ? scanBuffer(rs, path, text).map((f) => f.key) : ['(skipped)']);

describe('secret config file', () => {
  it('maps every field onto the engine options', () => {
    expect(parseSecretConfig(CONFIG, 'cfg.yaml')).toEqual({
      customRules: [
        {
          id: 'acme-api-key',
          key: 'acme_api_key',
          name: 'ACME API key',
          severity: 'high',
          description: 'An ACME platform API key.',
          advice: 'Revoke it in the ACME console.',
          keywords: ['acme_'],
          pattern: '(?<secret>acme_[0-9a-f]{32})',
          excludePaths: ['srv/fixtures/**'],
          minLength: 20,
          allow: ['^acme_0{32}$'],
        },
      ],
      disabledKeys: ['slack_token'],
      allowPaths: ['/opt/vendor/**'],
      allowValues: ['^ghp_ExampleExample'],
    });
    expect(parseSecretConfig('', 'empty.yaml')).toEqual({});
    expect(parseSecretConfig('{"default-allow-paths": false}', 'c.json')).toEqual({ defaultAllowPaths: false });
  });

  it('the compiled rule set applies custom rules, exclusions, disabled keys, whitelist and allowed values', async () => {
    const cfg = join(dir, 'apply.yaml');
    await writeFile(cfg, CONFIG);
    const rs = secretRuleSet({ config: cfg, cwd: dir });
    expect(keys(rs, 'srv/app/settings.py', `KEY = "${acme}"\n`)).toEqual(['acme_api_key']);
    expect(keys(rs, 'srv/fixtures/settings.py', `KEY = "${acme}"\n`)).toEqual([]);
    expect(keys(rs, 'srv/app/zero.py', `KEY = "acme_${'0'.repeat(32)}"\n`)).toEqual([]);
    expect(keys(rs, 'opt/vendor/lib/token.txt', `GITHUB_TOKEN=${ghp}\n`)).toEqual(['(skipped)']);
    expect(keys(rs, 'srv/app/.env', `GITHUB_TOKEN=${ghp}\n`)).toEqual(['github_personal_token']);
    expect(keys(rs, 'srv/app/.env', `GITHUB_TOKEN=ghp_ExampleExampleExampleExampleExampl\n`)).toEqual([]);
    expect(keys(rs, 'srv/app/slack.txt', `token: xoxb-${rand('0123456789', 12)}-${rand('0123456789', 13)}-${rand(ALNUM, 24)}\n`)).toEqual([]);
    expect(rs.customKeys.map((k) => k.name)).toEqual(['ACME API key']);
    // The finding names and masks the custom secret; the value never appears.
    const [f] = scanBuffer(rs, 'srv/app/settings.py', `KEY = "${acme}"\n`);
    expect(f?.severity).toBe('high');
    expect(f?.masked).not.toContain(acme.slice(8));
  });

  it('defaults in the working directory are read only when present; explicit files must exist', async () => {
    const cwd = await mkdtemp(join(dir, 'cwd-'));
    expect(loadSecretOptions({ cwd })).toEqual({ options: {} });
    await writeFile(join(cwd, 'tarsier-secret.yaml'), 'disable-keys: [slack_token]\n');
    await writeFile(join(cwd, '.tarsierignore'), 'srv/legacy/**\ngithub_personal_token:srv/ci/*.sh\n');
    const loaded = loadSecretOptions({ cwd, allowPaths: ['tmp/**'] });
    expect(loaded.options).toEqual({ disabledKeys: ['slack_token'], ignore: 'srv/legacy/**\ngithub_personal_token:srv/ci/*.sh\n', allowPaths: ['tmp/**'] });
    expect(loaded.configPath).toBe(join(cwd, 'tarsier-secret.yaml'));
    const rs = secretRuleSet({ cwd });
    expect(keys(rs, 'srv/legacy/a.env', `GITHUB_TOKEN=${ghp}\n`)).toEqual(['(skipped)']);
    expect(keys(rs, 'srv/ci/release.sh', `GITHUB_TOKEN=${ghp}\n`)).toEqual([]);
    expect(keys(rs, 'srv/ci/release.py', `GITHUB_TOKEN=${ghp}\n`)).toEqual(['github_personal_token']);
    expect(() => loadSecretOptions({ cwd, config: 'nope.yaml' })).toThrow(/--secret-config "nope.yaml": no such file/);
    expect(() => loadSecretOptions({ cwd, ignoreFile: 'nope' })).toThrow(/--secret-ignorefile "nope": no such file/);
    expect(() => loadSecretOptions({ cwd, allowPaths: [' '] })).toThrow(/--skip-secret-paths: empty path pattern/);
  });

  it.each([
    ['rules: {}', /bad\.yaml: rules must be a list/],
    ['rules: [{id: a, keywords: [ab], regex: "ab", colour: red}]', /bad\.yaml: rules\[0\]: unknown field "colour"/],
    ['rules: [{id: a, keywords: ab, regex: "ab"}]', /bad\.yaml: rules\[0\]: keywords must be a list of strings/],
    ['rules: [{id: a, keywords: [ab], regex: "ab", entropy: -1}]', /bad\.yaml: rules\[0\]: entropy must be a non-negative number/],
    ['disable-key: [x]', /bad\.yaml: unknown field "disable-key"/],
    ['default-allow-paths: "no"', /bad\.yaml: default-allow-paths must be true or false/],
    ['rules: [', /bad\.yaml: not valid YAML or JSON/],
    ['- just\n- a list', /bad\.yaml: must be a mapping of fields/],
  ])('config %j is refused with the file and field named', (text, message) => {
    let err: unknown;
    try {
      parseSecretConfig(text, 'bad.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TarsierError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });

  it('rule and ignore-file errors name the file', async () => {
    const cfg = join(dir, 'nested.yaml');
    await writeFile(cfg, 'rules: [{id: bad, keywords: [ab], regex: "(a+)+b"}]\n');
    expect(() => secretRuleSet({ config: cfg, cwd: dir })).toThrow(new RegExp(`${cfg.replace(/[.\\/]/g, '\\$&')}: custom rule "bad": nested quantifiers`));
    await writeFile(cfg, 'disable-keys: [nope]\n');
    expect(() => secretRuleSet({ config: cfg, cwd: dir })).toThrow(/nested\.yaml: disabled key "nope" is not a sensitive-file key/);
    const ign = join(dir, 'ignore');
    await writeFile(ign, 'ok/**\nmd5:xyz\n');
    expect(() => secretRuleSet({ ignoreFile: ign, cwd: dir })).toThrow(/ignore line 2: md5 must be 32 hex digits/);
  });
});

describe('ignore file keys', () => {
  it('a key prefix is the shortest one naming a rule key, so globs and custom keys may hold colons', () => {
    expect(parseIgnoreFile('common_cred:config:Env\ncustom:acme:srv/**\nnot_a_key:x\n', 'i', ['custom:acme'])).toEqual({
      paths: ['not_a_key:x'],
      keyPaths: [
        { key: 'common_cred', glob: 'config:Env' },
        { key: 'custom:acme', glob: 'srv/**' },
      ],
      md5s: [],
    });
  });
});
