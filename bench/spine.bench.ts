/**
 * Spine benchmark: `tarsier scan` of a generated ≥ 1 GiB image against the decompression floor
 * (Node's streaming gunzip of the same layer blobs, measured in this run), its peak RSS, and a
 * warm rescan served by the layer cache.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { writeOciLayout } from '../src/image/build/image-writer.js';
import { realisticImageLayers } from './fixtures/realistic-image.js';
import { bestOf, gunzipFloor, repoRoot, runNode } from './measure.js';
import type { Bench } from './types.js';

const MiB = 2 ** 20;

const bench: Bench = async ({ workDir, quick }) => {
  // Benchmark the built CLI, as users run it. tsc still emits when some unrelated file has a type error.
  const build = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: repoRoot, stdio: 'ignore' });
  if (build.status !== 0) process.stderr.write('bench: tsc reported errors; benchmarking what it emitted\n');
  const totalBytes = quick ? 256 * MiB : 1.1 * 2 ** 30;
  const layout = join(workDir, 'image');
  const genStart = Date.now();
  const image = await writeOciLayout({ layers: realisticImageLayers({ totalBytes }) }, layout, 'bench');
  const genSeconds = (Date.now() - genStart) / 1000;
  const stored = image.layers.reduce((s, l) => s + l.size, 0);

  const floor = await bestOf(2, () => gunzipFloor(image.layers.map((l) => l.file)));
  const cache = join(workDir, 'cache');
  const scanArgs = ['bin/tarsier.js', 'scan', '--format', 'json', '--output', join(workDir, 'report.json'), '--cache-dir', cache, `oci:${layout}:bench`];
  const cold = await runNode(scanArgs);
  if (cold.code !== 0) throw new Error(`cold scan failed (${cold.code}): ${cold.stderr}`);
  const warm = await runNode(scanArgs);
  if (warm.code !== 0) throw new Error(`warm scan failed (${warm.code}): ${warm.stderr}`);
  const uncompressedMiB = floor.bytes / MiB;

  return {
    title: `Spine: scan of a ${uncompressedMiB.toFixed(0)} MiB image (3 gzip layers, ${(stored / MiB).toFixed(0)} MiB stored)`,
    rows: [
      { metric: 'decompression floor (node zlib gunzip → nowhere)', value: uncompressedMiB / floor.seconds, unit: 'MB/s' },
      { metric: 'tarsier scan, cold cache (wall)', value: cold.seconds, unit: 's', baseline: { name: 'floor', value: floor.seconds }, target: '≤ 1.5× floor', pass: cold.seconds <= 1.5 * floor.seconds },
      { metric: 'tarsier scan throughput', value: uncompressedMiB / cold.seconds, unit: 'MB/s' },
      { metric: 'peak RSS, cold scan', value: cold.maxRssMiB, unit: 'MiB', target: '≤ 300 MiB', pass: cold.maxRssMiB <= 300 },
      { metric: 'warm rescan (layer cache)', value: warm.seconds, unit: 's', baseline: { name: 'cold', value: cold.seconds }, target: '≤ 5% of cold', pass: warm.seconds <= 0.05 * cold.seconds },
      { metric: 'peak RSS, warm rescan', value: warm.maxRssMiB, unit: 'MiB' },
    ],
    notes: [
      `image generated in ${genSeconds.toFixed(1)} s (gzip level 1); floor is the best of 2 runs; scans are single runs of the built CLI (node bin/tarsier.js) with all default analyzers.`,
      'the warm rescan still starts Node, reads the manifest and config and merges cached facts: its fixed cost (~0.3 s) dominates for small images.',
    ],
  };
};

export default bench;
