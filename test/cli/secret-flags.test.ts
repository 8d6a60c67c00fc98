/**
 * `tarsier scan` secret flags through the real CLI: `--secret-config` (custom rules, disabled keys,
 * path whitelist), `--secret-ignorefile`, `--skip-secret-paths`, and the default
 * `tarsier-secret.yaml` / `.tarsierignore` of the working directory. Custom rules apply to the
 * image config too; values stay masked; mistakes exit 2 with one line naming the file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanReport } from '../../src/report/model.js';
import { buildImage, removeDir, tempDir } from '../helpers/image-fixtures.js';
import { ALNUM, HEX, rand } from '../detect/sensitive-fixtures.js';
import { runProcess } from '../e2e/process.js';
import { dataDir, REPO_ROOT, type CliRun } from './db-cli.js';

const ghp = `ghp_${rand(ALNUM, 36)}`;
const acme = `acme_${rand(HEX, 32)}`;
const acmeEnv = `acme_${rand(HEX, 32)}`;

/** The CLI from source, run in `cwd` (where the default config and ignore files are looked up). */
function tarsierIn(cwd: string, args: string[]): Promise<CliRun> {
  const tsx = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const env: NodeJS.ProcessEnv = { ...process.env, TARSIER_DEBUG: '' };
  delete env.DATABASE_URL;
  return runProcess(process.execPath, ['--import', tsx, join(REPO_ROOT, 'src/cli/dev-entry.ts'), ...args], { cwd, env });
}

let dir: string | undefined;
let db: { dir: string; dispose(): Promise<void> } | undefined;
let ref = '';

beforeAll(async () => {
  dir = await tempDir('tarsier-sensitive-cli-');
  db = await dataDir('tarsier-sensitive-cli-db-');
  const built = await buildImage(
    'docker-archive',
    {
      layers: [
        {
          createdBy: 'COPY . /srv',
          entries: [
            { path: 'srv/app/.env', content: `NODE_ENV=production\nGITHUB_TOKEN=${ghp}\n` },
            { path: 'srv/app/settings.py', content: `ACME_KEY = "${acme}"\n` },
            { path: 'srv/legacy/.env', content: `GITHUB_TOKEN=${ghp}\n` },
            { path: 'opt/vendor/deploy.sh', content: `export GITHUB_TOKEN=${ghp}\n` },
          ],
        },
      ],
      config: { config: { Env: [`ACME_TOKEN=${acmeEnv}`] } },
    },
    dir,
    'secrets',
  );
  ref = built.ref;
  await writeFile(
    join(dir, 'rules.yaml'),
    `rules:\n  - id: acme\n    key: acme_api_key\n    name: ACME API key\n    severity: high\n    keywords: [acme_]\n    regex: '(?<secret>acme_[0-9a-f]{32})'\nallow-paths: ['/opt/vendor/**']\n`,
  );
  await writeFile(join(dir, 'ignore'), '# triaged\nsrv/legacy/**\n');
}, 60_000);
afterAll(async () => {
  await db?.dispose();
  await removeDir(dir);
});

const sensitive = (r: CliRun) => ((JSON.parse(r.stdout) as ScanReport).sensitive ?? []).map((s) => `${s.key} ${s.path}`).sort();
const scan = (cwd: string, flags: string[]) => tarsierIn(cwd, ['scan', ref, '--format', 'json', '--no-cache', '--quiet', '--data-dir', db?.dir ?? '', ...flags]);

describe('tarsier scan secret flags', () => {
  it('built-in rules only by default', async () => {
    const r = await scan(dir as string, []);
    expect(r.code, r.stderr).toBe(0);
    // The ENV token is caught by the generic credential rule until a custom rule names it.
    expect(sensitive(r)).toEqual(['common_cred config:Env', 'github_personal_token opt/vendor/deploy.sh', 'github_personal_token srv/app/.env', 'github_personal_token srv/legacy/.env']);
  }, 60_000);

  it('--secret-config, --secret-ignorefile and --skip-secret-paths', async () => {
    const r = await scan(dir as string, ['--secret-config', 'rules.yaml', '--secret-ignorefile', 'ignore', '--skip-secret-paths', 'srv/app/.env']);
    expect(r.code, r.stderr).toBe(0);
    expect(sensitive(r)).toEqual(['acme_api_key config:Env', 'acme_api_key srv/app/settings.py']);
    const report = JSON.parse(r.stdout) as ScanReport;
    expect(report.sensitive.find((s) => s.path === 'srv/app/settings.py')).toMatchObject({ name: 'ACME API key', severity: 'high' });
    for (const secret of [acme, acmeEnv, ghp]) expect(r.stdout).not.toContain(secret.slice(6));
  }, 60_000);

  it('reads tarsier-secret.yaml and .tarsierignore from the working directory', async () => {
    const cwd = join(dir as string, 'project');
    await mkdir(cwd, { recursive: true });
    await writeFile(join(cwd, 'tarsier-secret.yaml'), 'disable-keys: [github_personal_token, common_cred]\n');
    let r = await scan(cwd, []);
    expect(r.code, r.stderr).toBe(0);
    expect(sensitive(r)).toEqual([]);
    await writeFile(join(cwd, 'tarsier-secret.yaml'), '');
    await writeFile(join(cwd, '.tarsierignore'), 'github_personal_token:srv/**\n');
    r = await scan(cwd, []);
    expect(sensitive(r)).toEqual(['common_cred config:Env', 'github_personal_token opt/vendor/deploy.sh']);
  }, 60_000);

  it('a bad config or a missing file exits 2 with one line naming it', async () => {
    await writeFile(join(dir as string, 'bad.yaml'), 'rules: [{id: x, keywords: [ab], regex: "(ab"}]\n');
    let r = await scan(dir as string, ['--secret-config', 'bad.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml: custom rule "x": invalid pattern/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    r = await scan(dir as string, ['--secret-ignorefile', 'missing']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--secret-ignorefile "missing": no such file/);
  }, 60_000);
});
