/**
 * Sensitive-information benchmark: a generated file tree (source code and headers sliced from
 * real text on this machine, node_modules-style small files, binaries, configs) with planted
 * secrets of many kinds. Reports Tarsier's scanner throughput against the read floor (the same
 * reads without scanning), its recall on the planted secrets and what else it reports.
 *
 * Size: ~200 MiB by default, ≥ 1 GiB with BENCH_FULL=1, ~48 MiB with --quick.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CompiledRuleSet } from '../src/detect/sensitive/ruleset.js';
import { FileScanner } from '../src/detect/sensitive/scanner.js';
import type { Bench } from './types.js';

const MiB = 2 ** 20;

/** Seeded PRNG (mulberry32) so every run plants the same tree. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = prng(4242);
const int = (n: number) => Math.floor(rnd() * n);
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const rs = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[int(alphabet.length)]).join('');

/** Real text of this machine: C headers and JavaScript, up to `max` bytes each. */
function textPools(max: number): { c: Buffer; js: Buffer } {
  const collect = (root: string, re: RegExp): Buffer => {
    const parts: Buffer[] = [];
    let size = 0;
    const walk = (d: string) => {
      if (size >= max) return;
      let names: string[];
      try {
        names = readdirSync(d);
      } catch {
        return;
      }
      for (const n of names.sort()) {
        if (size >= max) return;
        const p = join(d, n);
        let st;
        try {
          st = statSync(p);
        } catch {
          continue;
        }
        if (st.isDirectory()) walk(p);
        else if (re.test(n) && st.size < 4 * MiB) {
          const b = readFileSync(p);
          parts.push(b);
          size += b.length;
        }
      }
    };
    walk(root);
    return Buffer.concat(parts);
  };
  const c = collect('/usr/include', /\.h$/);
  const js = collect(join(process.cwd(), 'node_modules'), /\.(?:js|ts|json)$/);
  const fallback = Buffer.from('int main(void) { return 0; }\nconst value = require("module");\n'.repeat(4096));
  return { c: c.length > MiB ? c : fallback, js: js.length > MiB ? js : fallback };
}

function slice(pool: Buffer, size: number): Buffer {
  const start = int(Math.max(1, pool.length - size));
  return pool.subarray(start, start + size);
}

interface Planted {
  path: string;
  /** Keys that count as finding it (one alert per family may fold a token into a file type). */
  keys: string[];
  value: string;
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** A PEM key; its second line (key material) is what must never appear in output. */
const keyPem = (text: string, keys: string[]) => ({ value: text.split('\n')[1] ?? '', text, keys });

/** Secret makers: a value, the text that holds it, and the keys that report it. */
const MAKERS: Array<() => { value: string; text: string; keys: string[]; file?: string }> = [
  () => ((v) => ({ value: v, text: `export GITHUB_TOKEN=${v}\n`, keys: ['github_personal_token'] }))(`ghp_${rs(ALNUM, 36)}`),
  () => ((v) => ({ value: v, text: `const token = "${v}";\n`, keys: ['gitLab_personal_token'] }))(`glpat-${rs(ALNUM, 20)}`),
  () => ((v) => ({ value: v, text: `aws_access_key_id = "${v}"\n`, keys: ['aws_access_key'] }))(`AKIA${rs('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`),
  () => ((v) => ({ value: v, text: `AWS_SECRET_ACCESS_KEY="${v}"\n`, keys: ['aws_access_key'] }))(rs(`${ALNUM}/+`, 40)),
  () => ((v) => ({ value: v, text: `slack_webhook_token: ${v}\n`, keys: ['slack_token'] }))(`xoxb-${rs('0123456789', 12)}-${rs('0123456789', 13)}-${rs(ALNUM, 24)}`),
  () => ((v) => ({ value: v, text: `Stripe.apiKey = "${v}";\n`, keys: ['stripe_skpk'] }))(`sk_live_${rs(ALNUM, 24)}`),
  () => ((v) => ({ value: v, text: `//registry.npmjs.org/:_authToken=${v}\n`, keys: ['npm_token'] }))(`npm_${rs(ALNUM, 36)}`),
  () => ((v) => ({ value: v, text: `DATABASE_URL=postgres://app:${v}@db.internal:5432/app\n`, keys: ['common_database_cfg'] }))(`${rs(ALNUM, 14)}#1`),
  () => ((v) => ({ value: v, text: `SENDGRID_KEY=placeholder\nFASTLY_API_TOKEN="${v}"\n`, keys: ['fastly_cdn_token'] }))(rs(ALNUM, 32)),
  () => ((v) => ({ value: v, text: `"dapi_token": "${v}"\n`, keys: ['databricks_token'] }))(`dapi${rs(HEX, 32)}`),
  () => ((v) => ({ value: v, text: `vault_token = "${v}"\n`, keys: ['hashicorp_vault_token'] }))(`hvs.${rs(ALNUM, 95)}`),
  () => ((v) => ({ value: v, text: `GOOGLE_MAPS_KEY=${v}\n`, keys: ['googlecloud_api_key'] }))(`AIza${rs(`${ALNUM}_-`, 35)}`),
  () => keyPem(rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string, ['rsa_private_key']),
  () => keyPem(ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string, ['ec_private_key']),
  () => ({ ...keyPem(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, ['pem', 'common_private_key']), file: 'tls/server.key' }),
  () => ((v) => ({ value: v, text: `machine api.example.com login ci password ${v}\n`, keys: ['netrc_cfg'], file: '.netrc' }))(rs(ALNUM, 20)),
  () => ((v) => ({ value: v, text: `db.internal:5432:app:app:${v}\n`, keys: ['postgresql_passwd'], file: '.pgpass' }))(rs(ALNUM, 18)),
  () => ((v) => ({ value: v, text: `https://ci:${v}@github.com\n`, keys: ['git_cred', 'github_personal_token'], file: '.git-credentials' }))(`ghp_${rs(ALNUM, 36)}`),
  () => ((v) => ({ value: v, text: `API_SECRET=${v}\n`, keys: ['common_cred'], file: '.env' }))(rs(ALNUM, 28)),
  () => ((v) => ({ value: v, text: JSON.stringify({ auths: { 'registry.example.com': { auth: Buffer.from(`ci:${v}`).toString('base64') } } }), keys: ['docker_registry_cfg'], file: '.docker/config.json' }))(rs(ALNUM, 20)),
];

interface Tree {
  files: string[];
  bytes: number;
  planted: Planted[];
}

/** Writes the tree: C headers and JavaScript files (small, many), binaries (few, large), configs and planted secrets. */
function generate(root: string, total: number): Tree {
  const pools = textPools(64 * MiB);
  const bin = Buffer.alloc(4 * MiB);
  for (let i = 0; i < bin.length; i++) bin[i] = i % 8192 < 4096 ? (i * 31) & 0xff : int(256);
  const files: string[] = [];
  const planted: Planted[] = [];
  let bytes = 0;
  const write = (rel: string, data: Buffer | string) => {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, data);
    files.push(rel);
    bytes += Buffer.byteLength(data);
  };
  let i = 0;
  while (bytes < total) {
    const r = rnd();
    if (r < 0.45) write(`usr/include/lib${i % 97}/h${i}.h`, slice(pools.c, 2_000 + int(60_000)));
    else if (r < 0.9) write(`app/node_modules/pkg${i % 1500}/lib/m${i}.js`, slice(pools.js, 300 + int(30_000)));
    else if (r < 0.95) write(`usr/lib/x86_64-linux-gnu/libb${i}${i % 2 ? '.so' : '.bin'}`, slice(bin, 64 * 1024 + int(2 * MiB)));
    else write(`app/config/c${i}.yaml`, `listen: ${8000 + (i % 100)}\nlog: info\nname: svc${i}\n`);
    // A planted secret every ~700 KiB: in a file of its own kind, or inside a source file.
    if (i % 40 === 0) {
      const make = MAKERS[planted.length % MAKERS.length] as (typeof MAKERS)[number];
      const m = make();
      const rel = m.file ? `app/secrets${planted.length}/${m.file}` : `app/src/mod${planted.length}/config${planted.length % 3 === 0 ? '.js' : '.txt'}`;
      const body = m.file ? m.text : Buffer.concat([slice(pools.js, 2_000 + int(8_000)), Buffer.from(`\n${m.text}`), slice(pools.js, 2_000)]);
      write(rel, body);
      planted.push({ path: rel, keys: m.keys, value: m.value });
    }
    i++;
  }
  writeFileSync(join(root, 'PLANTED.json'), JSON.stringify(planted));
  return { files, bytes, planted };
}

/** Reads every file in 256 KiB chunks, optionally feeding the scanner. */
function run(root: string, tree: Tree, scan: boolean, only?: (rel: string) => boolean): { seconds: number; bytes: number; findings: Map<string, string[]>; leaked: boolean } {
  const rules = new CompiledRuleSet();
  const buf = Buffer.allocUnsafe(256 * 1024);
  const findings = new Map<string, string[]>();
  let leaked = false;
  const planted = new Set(tree.planted.map((p) => p.value).filter((v) => v.length > 16));
  let bytes = 0;
  const start = process.hrtime.bigint();
  for (const rel of tree.files) {
    if (only && !only(rel)) continue;
    const size = statSync(join(root, rel)).size;
    bytes += size;
    if (scan && !rules.wants(rel, size)) continue;
    const fd = openSync(join(root, rel), 'r');
    const scanner = scan ? new FileScanner(rules, rel) : null;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      scanner?.write(buf.subarray(0, n));
    }
    closeSync(fd);
    if (scanner) {
      const out = scanner.end();
      if (out.length) {
        findings.set(rel, out.map((f) => f.key));
        const json = JSON.stringify(out);
        for (const p of planted) if (json.includes(p)) leaked = true;
      }
    }
  }
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, bytes, findings, leaked };
}

const bench: Bench = async ({ workDir, quick }) => {
  const total = quick ? 48 * MiB : process.env.BENCH_FULL === '1' ? 1.05 * 2 ** 30 : 200 * MiB;
  const root = join(workDir, 'tree');
  const genStart = Date.now();
  const tree = generate(root, total);
  const genSeconds = (Date.now() - genStart) / 1000;
  const mb = tree.bytes / MiB;

  const floor = run(root, tree, false);
  const floor2 = run(root, tree, false);
  const floorSeconds = Math.min(floor.seconds, floor2.seconds);
  const tarsier = run(root, tree, true);
  const isText = (rel: string) => !/\.(?:so|bin)$/.test(rel);
  const textFloor = run(root, tree, false, isText);
  const textScan = run(root, tree, true, isText);
  const textMb = textScan.bytes / MiB;
  const found = tree.planted.filter((p) => (tarsier.findings.get(p.path) ?? []).some((k) => p.keys.includes(k)));
  const plantedPaths = new Set(tree.planted.map((p) => p.path));
  const extra = [...tarsier.findings.entries()].filter(([p]) => !plantedPaths.has(p));
  const recall = found.length / tree.planted.length;
  const missedKinds = [...new Set(tree.planted.filter((p) => !found.includes(p)).map((p) => p.keys[0]))];
  const digest = createHash('sha256').update(readFileSync(join(root, 'PLANTED.json'))).digest('hex').slice(0, 12);

  return {
    title: `Sensitive information: ${mb.toFixed(0)} MiB tree, ${tree.files.length} files, ${tree.planted.length} planted secrets`,
    rows: [
      { metric: 'read floor (same reads, no scan)', value: mb / floorSeconds, unit: 'MB/s' },
      { metric: 'Tarsier scanner throughput, whole tree (one core)', value: mb / tarsier.seconds, unit: 'MB/s', baseline: { name: 'read floor', value: mb / floorSeconds } },
      { metric: `Tarsier scanner throughput, text files only (${textMb.toFixed(0)} MiB)`, value: textMb / textScan.seconds, unit: 'MB/s', baseline: { name: 'read floor', value: textMb / textFloor.seconds }, target: '≥ 100 MB/s', pass: textMb / textScan.seconds >= 100 },
      { metric: 'recall on planted secrets', value: recall * 100, unit: '%', target: '100 %', pass: recall === 1 },
      { metric: 'findings outside planted files', value: extra.length, unit: 'files', target: '0', pass: extra.length === 0 },
      { metric: 'planted values leaked in output', value: tarsier.leaked ? 1 : 0, unit: '', target: '0', pass: !tarsier.leaked },
    ],
    notes: [
      `tree generated in ${genSeconds.toFixed(1)} s from real text on this machine (/usr/include headers, node_modules JavaScript), seeded (planted set ${digest}); ${existsSync('/usr/include') ? '' : '/usr/include missing: synthetic text used; '}BENCH_FULL=1 for ≥ 1 GiB.`,
      `scanner run in-process over the files (256 KiB reads, the walker's chunking is 64 KiB); Tarsier skips allowlisted paths (e.g. shared objects by name) and binary content after 8 KiB, as in an image scan.`,
      missedKinds.length ? `missed kinds: ${missedKinds.join(', ')}` : 'every planted kind found.',
      extra.length ? `other findings: ${extra.slice(0, 5).map(([p, k]) => `${p} (${k.join(',')})`).join('; ')}` : 'no findings outside the planted files.',
      'secretlint comparison not run yet (secretlint is not a dependency); the image-level scan against the decompression floor is in the spine benchmark (all analyzers, sensitive included).',
    ],
  };
};

export default bench;
