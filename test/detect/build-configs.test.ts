/**
 * Build-command risks on the real image configs in ../shared/data/image-configs: the checks the
 * peers assert (Dockle's CIS-DI/DKL codes, snyk's user-instruction layers, Dockle's command split)
 * and what the official images must and must not raise.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/analysis/inventory.js';
import type { ImageConfig } from '../../src/image/types.js';
import { buildRisksToReport, buildSteps, evaluateBuildRisks } from '../../src/detect/build/index.js';
import { parseShell } from '../../src/detect/build/shell.js';

const DATA = fileURLToPath(new URL('../../../shared/data/image-configs/', import.meta.url));

interface ManifestEntry {
  file: string;
  expected: Array<{ peer?: string; checks?: Array<{ code: string }> }>;
}

const manifest = JSON.parse(readFileSync(`${DATA}MANIFEST.json`, 'utf8')) as { entries: ManifestEntry[] };

function configOf(file: string): ImageConfig {
  return JSON.parse(readFileSync(`${DATA}${file}`, 'utf8')) as ImageConfig;
}

function inventoryOf(config: ImageConfig, ref = 'scan.example/app:1.0'): Inventory {
  return {
    artifact: { ref, type: 'registry', digest: 'sha256:0', configDigest: 'sha256:1', size: 0, layers: [], platform: 'linux/amd64' },
    os: null,
    packages: [],
    files: {},
    symlinks: {},
    specialModes: [],
    sensitive: [],
    config,
    history: config.history ?? [],
    warnings: [],
  };
}

/** Dockle checks decidable from the config alone, and the BCR rule each corresponds to. */
const DOCKLE_TO_BCR: Record<string, string> = {
  'CIS-DI-0001': 'BCR-001',
  'CIS-DI-0006': 'BCR-028',
  'CIS-DI-0007': 'BCR-031',
  'CIS-DI-0009': 'BCR-018',
  'CIS-DI-0010': 'BCR-007',
  'DKL-DI-0001': 'BCR-003',
  'DKL-DI-0002': 'BCR-025',
  'DKL-DI-0003': 'BCR-032',
  'DKL-DI-0004': 'BCR-033',
  'DKL-DI-0005': 'BCR-033',
};
const MAPPED = new Set(Object.values(DOCKLE_TO_BCR));

const dockleCases = manifest.entries.filter((e) => e.expected.some((x) => x.peer === 'dockle' && x.checks));

describe('Dockle expectations', () => {
  it.each(dockleCases.map((e) => [e.file, e] as const))('%s', (_f, e) => {
    const expected = new Set(e.expected.flatMap((x) => x.checks ?? []).map((c) => DOCKLE_TO_BCR[c.code]).filter((x): x is string => x !== undefined));
    const got = new Set(evaluateBuildRisks(inventoryOf(configOf(e.file))).findings.map((f) => f.ruleId).filter((id) => MAPPED.has(id)));
    expect(got).toEqual(expected);
  });

  it('finds the ADD of a credential file (not the rootfs ADD) in apk_cache.json', () => {
    const adds = evaluateBuildRisks(inventoryOf(configOf('dockle/apk_cache.json'))).findings.filter((f) => f.ruleId === 'BCR-018');
    expect(adds.map((f) => f.buildInstruction)).toEqual(['ADD file:cf1415d8f82e /app/credential.json']);
    expect(adds[0]?.historyIndex).toBe(3);
  });

  it('splits the nginx RUN into its shell commands', () => {
    const config = configOf('dockle/nginx.json');
    const commands = parseShell(buildSteps(config.history ?? [], config.rootfs?.diff_ids ?? [])[6]?.command ?? '').flat();
    expect(commands.length).toBeGreaterThanOrEqual(26);
    const texts = commands.map((c) => c.words.join(' '));
    expect(texts).toContain('apt-get update');
    expect(texts).toContain('rm -rf /var/lib/apt/lists/*');
    expect(texts.some((t) => t.startsWith('apt-get install --no-install-recommends --no-install-suggests -y'))).toBe(true);
  });
});

describe('snyk user-instruction layers', () => {
  it('gcc.json: the image\'s own steps are the last two history entries', () => {
    const config = configOf('snyk/gcc.json');
    const steps = buildSteps(config.history ?? [], config.rootfs?.diff_ids ?? []);
    expect(steps.filter((s) => !s.inherited).map((s) => s.index)).toEqual([2, 3]);
    expect(steps[3]?.layerDiffId).toBe(config.rootfs?.diff_ids[1]);
  });

  it('no-user-instructions.json: only base-image history', () => {
    const config = configOf('snyk/no-user-instructions.json');
    expect(buildSteps(config.history ?? [], config.rootfs?.diff_ids ?? []).every((s) => s.inherited)).toBe(true);
  });
});

describe('real images', () => {
  it.each(['bookworm', 'bookworm-slim', 'bullseye', 'bullseye-slim', 'sid'])('debian:%s runs as root without HEALTHCHECK and leaks no secret', (name) => {
    const r = evaluateBuildRisks(inventoryOf(configOf(`debian-official/${name}.config.json`)));
    expect(r.findings.map((f) => f.ruleId).sort()).toEqual(['BCR-001', 'BCR-028']);
    expect(r.findings.every((f) => f.buildInstruction === '--')).toBe(true);
  });

  it('maps every trivy golden config without errors; only the distroless image runs as non-root', () => {
    for (const e of manifest.entries.filter((x) => x.file.startsWith('trivy'))) {
      const config = configOf(e.file);
      const r = evaluateBuildRisks(inventoryOf(config));
      const ids = r.findings.map((f) => f.ruleId);
      expect(ids.includes('BCR-001'), e.file).toBe(e.file !== 'trivy-goldens/alpine-distroless.config.json');
      expect(ids).toContain('BCR-028');
      expect(ids, e.file).not.toContain('BCR-007');
      for (const f of r.findings) expect(f.buildInstruction.length).toBeLessThanOrEqual(256);
    }
  });

  it('spring4shell: GPG_KEYS is not a secret; the tomcat base steps are inherited, the war COPY is not', () => {
    const config = configOf('trivy-goldens/spring4shell-jre8.config.json');
    const steps = buildSteps(config.history ?? [], config.rootfs?.diff_ids ?? []);
    const own = steps.filter((s) => !s.inherited);
    expect(own.map((s) => s.instruction)).toEqual(['COPY']);
    expect(own[0]?.layerDiffId).toBe(config.rootfs?.diff_ids[8]);
    const r = evaluateBuildRisks(inventoryOf(config));
    expect(r.findings.filter((f) => f.ruleId === 'BCR-022').every((f) => f.inherited)).toBe(true);
    expect(r.findings.some((f) => f.ruleId === 'BCR-031')).toBe(false); // `xargs … apt-get install` follows the update
  });

  it('fluentd: the |1 build-arg RUN maps to its layer and DEBIAN_FRONTEND is not a secret', () => {
    const config = configOf('trivy-goldens/fluentd-gems.config.json');
    const steps = buildSteps(config.history ?? [], config.rootfs?.diff_ids ?? []);
    const run = steps.find((s) => s.buildArgs.length > 0);
    expect(run?.buildArgs).toEqual([{ name: 'DEBIAN_FRONTEND', value: 'noninteractive' }]);
    expect(run?.layerIndex).toBe(3);
    expect(evaluateBuildRisks(inventoryOf(config)).findings.some((f) => f.ruleId === 'BCR-008')).toBe(false);
  });

  it('nginx (anchore): world-writable temp dir, unpinned packages; the report shape carries the layer', () => {
    const config = configOf('anchore/nginx_image_config.json');
    const r = evaluateBuildRisks(inventoryOf(config));
    const chmod = r.findings.find((f) => f.ruleId === 'BCR-006');
    expect(chmod?.buildInstruction).toContain('chmod 777 "$tempDir"');
    expect(chmod?.layerDiffId).toBe(config.rootfs?.diff_ids[1]);
    const report = buildRisksToReport(r);
    expect(report.find((x) => x.ruleId === 'BCR-001')).toEqual({
      ruleId: 'BCR-001',
      name: 'Image runs as root',
      severity: 'high',
      buildInstruction: '--',
      remediation: expect.stringContaining('USER <non root username>'),
    });
    expect(report.find((x) => x.ruleId === 'BCR-006')?.layerDiffId).toBe(config.rootfs?.diff_ids[1]);
  });

  it('flags a latest-tag reference and reports BCR-021 only with registry signature data', () => {
    const config = configOf('dockle/root_default.json');
    expect(evaluateBuildRisks(inventoryOf(config, 'docker.io/library/alpine:latest')).findings.some((f) => f.ruleId === 'BCR-020')).toBe(true);
    expect(evaluateBuildRisks(inventoryOf(config, 'docker.io/library/alpine@sha256:abc')).findings.some((f) => f.ruleId === 'BCR-020')).toBe(false);
    const unsigned = evaluateBuildRisks(inventoryOf(config), { signed: false });
    expect(unsigned.findings.some((f) => f.ruleId === 'BCR-021')).toBe(true);
    const unknown = evaluateBuildRisks(inventoryOf(config));
    expect(unknown.skipped).toEqual([{ ruleId: 'BCR-021', reason: 'no registry signature information' }]);
  });
});
