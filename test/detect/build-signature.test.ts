/**
 * BCR-021 as the scan pipeline evaluates it (detect/build/signature-risk.ts): the same report item
 * as the full rule engine, while loading only the rule itself, since it runs on every scan, also
 * one answered from the result cache.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { packageInventory, type Inventory } from '../../src/analysis/inventory.js';
import { buildRisksToReport, evaluateBuildRisks } from '../../src/detect/build/evaluate.js';
import { signatureRisks } from '../../src/detect/build/signature-risk.js';
import type { SignatureLookup } from '../../src/image/signatures.js';
import type { ImageConfig } from '../../src/image/types.js';
import { moduleClosure } from '../../src/scan/code-fingerprint.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const config = JSON.parse(readFileSync(fileURLToPath(new URL('../../../shared/data/image-configs/dockle/root_default.json', import.meta.url)), 'utf8')) as ImageConfig;

const inventory: Inventory = {
  ...packageInventory({ ref: 'scan.example/app:1.0', digest: 'sha256:abc', configDigest: 'sha256:1', platform: 'linux/amd64' }, null, []),
  config,
  history: config.history ?? [],
};

describe('BCR-021 in the scan pipeline', () => {
  it('gives what the rule engine gives for every lookup answer', async () => {
    const lookups: SignatureLookup[] = [
      { signed: false, details: ['referrers: none', 'cosign tag sha256-abc.sig: not found'] },
      { signed: true, details: ['cosign signature'] },
      { signed: undefined, details: ['registry did not answer'] },
    ];
    for (const lookup of lookups) {
      const warnings: string[] = [];
      const got = await signatureRisks({ type: 'registry', signatures: async () => lookup }, inventory, (w) => warnings.push(w));
      // The whole rule engine given the same answer, BCR-021's items only.
      const engine = buildRisksToReport(evaluateBuildRisks(inventory, { signed: lookup.signed, signatureDetails: lookup.details }));
      expect(got).toEqual(engine.filter((r) => r.ruleId === 'BCR-021'));
      expect(got.length).toBe(lookup.signed === false ? 1 : 0);
      expect(warnings.length).toBe(lookup.signed === undefined ? 1 : 0);
    }
  });

  it('a source that cannot tell, or whose lookup fails, adds nothing', async () => {
    expect(await signatureRisks({ type: 'docker-archive' }, inventory)).toEqual([]);
    const warnings: string[] = [];
    const failing = { type: 'registry' as const, signatures: async (): Promise<SignatureLookup> => { throw new Error('connection reset'); } };
    expect(await signatureRisks(failing, inventory, (w) => warnings.push(w))).toEqual([]);
    expect(warnings).toEqual(['image signatures not checked: connection reset']);
  });

  it('loads the one rule, not the build-rule catalog', () => {
    const loaded = moduleClosure(SRC, 'detect/build/signature-risk');
    expect(loaded).toEqual(['detect/build/rules/signature', 'detect/build/signature-risk']);
    // The engine still has it, in catalog order.
    expect(moduleClosure(SRC, 'detect/build/evaluate')).toContain('detect/build/rules/signature');
  });
});
