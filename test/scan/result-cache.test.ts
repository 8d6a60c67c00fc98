/**
 * The whole-result cache: an unchanged image scanned again reads no layer and runs no analyzer,
 * and still gets the findings a fresh scan gets; anything a result depends on (analyzer version,
 * sensitive rules, merge/detector code, report language) makes it a miss; the advisory database
 * is matched live against the cached inventory, so a new advisory shows without a rescan.
 */
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/analysis/image-head.js';
import { defaultAnalyzers } from '../../src/analysis/analyzers/index.js';
import { createSensitiveAnalyzer } from '../../src/analysis/analyzers/sensitive.js';
import { LayerCache } from '../../src/analysis/layer-cache.js';
import type { Analyzer } from '../../src/analysis/types.js';
import { debian10Image } from '../../src/demo/images/debian10.js';
import { demoSecrets } from '../../src/demo/secrets.js';
import type { DetectOptions } from '../../src/detect/run-detectors.js';
import { BUILTIN_RULES } from '../../src/detect/sensitive/rules/index.js';
import { CompiledRuleSet, ruleSetHash } from '../../src/detect/sensitive/ruleset.js';
import { buildIndex } from '../../src/detect/vulns/match.js';
import { writeOciArchive, writeOciLayout } from '../../src/image/build/image-writer.js';
import { openImage } from '../../src/image/open-image.js';
import { codeFingerprint } from '../../src/scan/code-fingerprint.js';
import { scanSource, type ScanOutcome } from '../../src/scan/pipeline.js';
import { readFeed } from '../../src/vulndb/read-feed.js';
import type { Advisory } from '../../src/vulndb/types.js';
import { counted, REPO_ROOT, removeDir, tempDir } from '../helpers/image-fixtures.js';

/** A DSA in the tracker's list format for buster's bash (the image has bash 5.0-4). */
const dsa = (fixed: string) => `[01 Jan 2030] DSA-9999-1 bash - security update\n\t{CVE-2030-0001}\n\t[buster] - bash ${fixed}\n`;

let tmp: string;
let ociRef: string;
let archiveRef: string;
beforeAll(async () => {
  tmp = await tempDir('tarsier-result-cache-');
  const spec = debian10Image(demoSecrets());
  await mkdir(join(tmp, 'oci'));
  await writeOciLayout(spec, join(tmp, 'oci'), '10');
  await writeOciArchive(spec, join(tmp, 'debian.tar'));
  ociRef = `oci:${join(tmp, 'oci')}:10`;
  archiveRef = `oci-archive:${join(tmp, 'debian.tar')}`;
});
afterAll(() => removeDir(tmp));

interface Run extends ScanOutcome {
  blobsRead: number;
  analyzerCalls: number;
  warnings: string[];
}

/** Counts every analyzer call and every blob opened, so a test sees exactly what a scan read. */
async function run(ref: string, cacheDir: string | null, opts: { analyzers?: Analyzer[]; detect?: Partial<DetectOptions> } = {}): Promise<Run> {
  const source = await openImage(ref, { maxImageBytes: DEFAULT_LIMITS.maxImageBytes });
  let blobsRead = 0;
  const openBlob = source.openBlob.bind(source);
  source.openBlob = (desc) => {
    blobsRead++;
    return openBlob(desc);
  };
  const wrapped = (opts.analyzers ?? defaultAnalyzers()).map((a) => counted(a));
  const warnings: string[] = [];
  try {
    const outcome = await scanSource(source, {
      cache: cacheDir ? new LayerCache(cacheDir) : null,
      limits: DEFAULT_LIMITS,
      platform: 'linux/amd64',
      analyzers: wrapped.map((w) => w.analyzer),
      detect: { ignoreUnfixed: false, onWarning: (m) => warnings.push(m), ...opts.detect },
      onWarning: (m) => warnings.push(m),
    });
    return { ...outcome, blobsRead, analyzerCalls: wrapped.reduce((s, w) => s + w.calls(), 0), warnings };
  } finally {
    await source.close();
  }
}

async function resultEntries(cacheDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(join(cacheDir, 'results')).catch(() => [])) for (const f of await readdir(join(cacheDir, 'results', d))) out.push(join(cacheDir, 'results', d, f));
  return out;
}

async function advisoriesFrom(text: string): Promise<Advisory[]> {
  const file = join(tmp, `dsa-${Math.random().toString(36).slice(2)}`);
  await writeFile(file, text);
  const out: Advisory[] = [];
  for await (const a of readFeed(file)) out.push(a);
  return out;
}

describe('result cache', () => {
  it('a rescan of an unchanged image reads no layer, runs no analyzer and reports the same', async () => {
    const cache = join(tmp, 'c-same');
    const fresh = await run(ociRef, null);
    const cold = await run(ociRef, cache);
    expect(cold.cached).toBe(false);
    expect(cold.blobsRead).toBe(cold.inventory.artifact.layers.length);
    expect(await resultEntries(cache)).toHaveLength(1);

    const warm = await run(ociRef, cache);
    expect(warm.cached).toBe(true);
    expect(warm.blobsRead).toBe(0);
    expect(warm.analyzerCalls).toBe(0);
    expect(warm.inventory).toEqual(fresh.inventory);
    expect(warm.findings).toEqual(fresh.findings);
    // The demo image has planted secrets, baseline failures and build risks: the cache holds real findings.
    expect(warm.findings.sensitive.length).toBeGreaterThan(0);
    expect(warm.findings.baseline.length).toBeGreaterThan(0);
    expect(warm.findings.buildRisks.length).toBeGreaterThan(0);
  });

  it('the same content in another archive is a hit described as that source', async () => {
    const cache = join(tmp, 'c-source');
    const fromOci = await run(ociRef, cache);
    const fromArchive = await run(archiveRef, cache);
    expect(fromArchive.cached).toBe(true);
    expect(fromArchive.blobsRead).toBe(0);
    expect(fromArchive.inventory.artifact).toMatchObject({ type: 'oci-archive', ref: archiveRef, configDigest: fromOci.inventory.artifact.configDigest });
    expect(fromArchive.inventory.packages).toEqual(fromOci.inventory.packages);
    const fresh = await run(archiveRef, null);
    expect(fromArchive.inventory).toEqual(fresh.inventory);
    expect(fromArchive.findings).toEqual(fresh.findings);
  });

  it('a new advisory is matched against the cached inventory, without reading the image', async () => {
    const cache = join(tmp, 'c-advisory');
    const none = buildIndex([]);
    const cold = await run(ociRef, cache, { detect: { advisories: async () => none } });
    expect(cold.findings.vulnerabilities.some((v) => v.id === 'CVE-2030-0001')).toBe(false);

    const index = buildIndex(await advisoriesFrom(dsa('5.0-4+deb10u1')));
    const warm = await run(ociRef, cache, { detect: { advisories: async () => index } });
    expect(warm.cached).toBe(true);
    expect(warm.blobsRead).toBe(0);
    expect(warm.findings.vulnerabilities).toContainEqual(expect.objectContaining({ id: 'CVE-2030-0001', packageName: 'bash', installedVersion: '5.0-4' }));
    // Fixed below the installed version: the finding goes again, still from the cache.
    const fixedBelow = buildIndex(await advisoriesFrom(dsa('4.4-1')));
    const again = await run(ociRef, cache, { detect: { advisories: async () => fixedBelow } });
    expect(again.cached).toBe(true);
    expect(again.findings.vulnerabilities.some((v) => v.id === 'CVE-2030-0001')).toBe(false);
  });

  it('an analyzer version change is a miss that re-runs only that analyzer', async () => {
    const cache = join(tmp, 'c-version');
    await run(ociRef, cache);
    const bumped = defaultAnalyzers().map((a) => (a.name === 'dpkg' ? { ...a, version: `${a.version}+test` } : a));
    const again = await run(ociRef, cache, { analyzers: bumped });
    expect(again.cached).toBe(false);
    expect(again.blobsRead).toBeGreaterThan(0);
    // The layer cache still serves every other analyzer: only dpkg ran, once per layer that has a file it wants.
    expect(again.analyzerCalls).toBeGreaterThan(0);
    const others = await run(ociRef, cache, { analyzers: bumped });
    expect(others.cached).toBe(true);
    expect(await resultEntries(cache)).toHaveLength(2);
  });

  it('custom sensitive rules are a miss, and their findings are the ones reported', async () => {
    const cache = join(tmp, 'c-rules');
    const builtIn = await run(ociRef, cache);
    const key = builtIn.findings.sensitive.find((s) => s.path !== '' && !s.path.startsWith('config:'))?.key;
    expect(key).toBeDefined();
    const options = { disabledKeys: [key!] };
    const rules = new CompiledRuleSet(options);
    const analyzers = defaultAnalyzers().map((a) => (a.name === 'sensitive' ? createSensitiveAnalyzer(rules) : a));
    const custom = await run(ociRef, cache, { analyzers, detect: { sensitiveRules: rules } });
    expect(custom.cached).toBe(false);
    expect(custom.findings.sensitive.some((s) => s.key === key)).toBe(false);
    const customAgain = await run(ociRef, cache, { analyzers, detect: { sensitiveRules: rules } });
    expect(customAgain.cached).toBe(true);
    expect(customAgain.findings).toEqual(custom.findings);
    // And the built-in result is still there, unchanged.
    const builtInAgain = await run(ociRef, cache);
    expect(builtInAgain.cached).toBe(true);
    expect(builtInAgain.findings).toEqual(builtIn.findings);
  });

  it('another report language is a miss', async () => {
    const cache = join(tmp, 'c-lang');
    await run(ociRef, cache);
    const zh = await run(ociRef, cache, { detect: { lang: 'zh' } });
    expect(zh.cached).toBe(false);
    expect(zh.blobsRead).toBe(0); // every layer's facts were still in the layer cache
  });

  it('detector warnings stored with a result are told again on a hit', async () => {
    const cache = join(tmp, 'c-warn');
    await run(ociRef, cache);
    // Detectors warn only when a rule cannot be evaluated: plant one in the stored entry.
    const [entry] = await resultEntries(cache);
    const stored = JSON.parse(await readFile(entry!, 'utf8')) as { detectorWarnings: string[] };
    stored.detectorWarnings = ['baseline SSH-01: could not parse sshd_config'];
    await writeFile(entry!, JSON.stringify(stored));
    const warm = await run(ociRef, cache);
    expect(warm.cached).toBe(true);
    expect(warm.warnings).toEqual(['baseline SSH-01: could not parse sshd_config']);
  });

  it('a corrupt entry is a miss and is rewritten', async () => {
    const cache = join(tmp, 'c-corrupt');
    const cold = await run(ociRef, cache);
    const [entry] = await resultEntries(cache);
    await writeFile(entry!, '{"inventory": tru');
    const again = await run(ociRef, cache);
    expect(again.cached).toBe(false);
    expect(again.findings).toEqual(cold.findings);
    expect(JSON.parse(await readFile(entry!, 'utf8'))).toHaveProperty('inventory');
    expect((await run(ociRef, cache)).cached).toBe(true);
  });
});

describe('cache identities', () => {
  it('the sensitive analyzer reports its rule-set version without compiling, equal to the compiled one', () => {
    expect(createSensitiveAnalyzer().version).toBe(`1.${new CompiledRuleSet().hash}`);
    expect(ruleSetHash(BUILTIN_RULES, {})).toBe(new CompiledRuleSet().hash);
    expect(createSensitiveAnalyzer({ disabledKeys: ['ssh_private_key'] }).version).not.toBe(createSensitiveAnalyzer().version);
  });

  it('the code fingerprint follows merge, analyzer and detector code, not the vulnerability matcher', async () => {
    const root = join(tmp, 'src-copy');
    for (const dir of ['analysis', 'detect', 'scan']) await cp(join(REPO_ROOT, 'src', dir), join(root, dir), { recursive: true });
    const before = codeFingerprint(root);
    expect(codeFingerprint(root)).toBe(before);

    await writeFile(join(root, 'detect/vulns/match.ts'), '// matcher edited\n', { flag: 'a' });
    expect(codeFingerprint(root)).toBe(before);
    for (const file of ['analysis/merge.ts', 'detect/baseline/evaluate.ts', 'detect/build/evaluate.ts', 'detect/sensitive/detect.ts', 'detect/run-detectors.ts']) {
      const path = join(root, file);
      const text = await readFile(path, 'utf8');
      await writeFile(path, `${text}\n// edited\n`);
      expect(codeFingerprint(root), file).not.toBe(before);
      await writeFile(path, text);
      expect(codeFingerprint(root), file).toBe(before);
    }
    await rm(root, { recursive: true, force: true });
  });
});
