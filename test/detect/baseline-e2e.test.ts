/**
 * Through the real spine: an OCI layout written to disk, opened and analysed with the registered
 * analyzers, then both detectors. Proves the collector is registered and that file evidence maps
 * to the history line of the layer that wrote it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, analyzeImage } from '../../src/analysis/analyze-image.js';
import { defaultAnalyzers } from '../../src/analysis/analyzers/index.js';
import type { Inventory } from '../../src/analysis/inventory.js';
import { evaluateBaseline } from '../../src/detect/baseline/index.js';
import { evaluateBuildRisks } from '../../src/detect/build/index.js';
import { type LayerEntrySpec, writeOciLayout } from '../../src/image/build/image-writer.js';
import { openImage } from '../../src/image/open-image.js';
import { fixtureEntries, type MemoryEntry } from './baseline-fixture.js';

function specOf(entries: MemoryEntry[]): LayerEntrySpec[] {
  return entries.map((e) => ({ path: e.path, type: e.type, content: e.content, mode: e.mode, uid: e.uid, gid: e.gid, linkTarget: e.target }));
}

let dir = '';
let inv: Inventory;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tarsier-baseline-'));
  const base = fixtureEntries('debian10/stock').entries;
  await writeOciLayout(
    {
      layers: [
        { entries: specOf(base), createdBy: '/bin/sh -c #(nop) ADD file:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef in / ' },
        { entries: [{ path: 'app/main.py', content: 'print(1)\n' }, { path: 'app/.git/HEAD', content: 'ref: refs/heads/main\n' }, { path: 'app/.env', content: 'DB_PASSWORD=x\n' }], createdBy: 'COPY . /app # buildkit' },
        { entries: [{ path: 'root/.cache/pip/http/a/b/c/0123', content: 'cached wheel' }, { path: 'etc/ssh/.wh.ssh_host_rsa_key', content: '' }], createdBy: 'RUN /bin/sh -c pip install flask && rm /etc/ssh/ssh_host_rsa_key # buildkit' },
      ],
      config: { created: '2023-05-03T00:00:00Z', config: { Env: ['PATH=/usr/bin'], ExposedPorts: { '22/tcp': {} } } },
      emptyHistory: [{ after: 0, createdBy: '/bin/sh -c #(nop)  CMD ["bash"]' }],
    },
    dir,
  );
  const source = await openImage(`oci:${dir}`, { maxImageBytes: DEFAULT_LIMITS.maxImageBytes });
  try {
    inv = await analyzeImage(source, { analyzers: defaultAnalyzers(), cache: null, limits: DEFAULT_LIMITS, platform: 'linux/amd64' });
  } finally {
    await source.close();
  }
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('baseline and build risks on a real OCI layout', () => {
  it('collects the config files and evaluates the Debian 10 pack', () => {
    expect(inv.os).toMatchObject({ family: 'debian', version: '10' });
    expect(inv.files['etc/login.defs']?.content).toContain('PASS_MAX_DAYS');
    expect(inv.files['etc/ssh/ssh_host_rsa_key']).toBeUndefined(); // deleted by the whiteout
    const r = evaluateBaseline(inv, { standard: 'cn_standard' });
    const byId = new Map(r.summaries.flatMap((s) => s.rules).map((x) => [x.id, x]));
    expect(byId.get('SYS-01')?.status).toBe('failed');
    const keys = byId.get('SSH-03');
    expect(keys?.status).toBe('failed');
    expect(keys?.evidence.map((e) => e.file)).toEqual(['/etc/ssh/ssh_host_ecdsa_key', '/etc/ssh/ssh_host_ed25519_key']);
  });

  it('maps file evidence to the history line of the layer that wrote it', () => {
    const r = evaluateBuildRisks(inv);
    const diffIds = inv.config.rootfs?.diff_ids ?? [];
    const leftovers = r.findings.find((f) => f.ruleId === 'BCR-013');
    expect(leftovers).toMatchObject({ buildInstruction: 'COPY . /app', layerDiffId: diffIds[1], severity: 'high', historyIndex: 2 });
    expect(leftovers?.evidence.sort()).toEqual(['/app/.env', '/app/.git/HEAD']);
    const cache = r.findings.filter((f) => f.ruleId === 'BCR-034');
    expect(cache.map((f) => f.layerDiffId)).toEqual([diffIds[2]]);
    expect(r.findings.find((f) => f.ruleId === 'BCR-023')?.buildInstruction).toBe('EXPOSE 22/tcp');
    expect(r.findings.some((f) => f.ruleId === 'BCR-001')).toBe(true);
  });
});
