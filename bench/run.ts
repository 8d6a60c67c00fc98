/**
 * `npm run bench [-- AREA…] [--quick]`: runs bench/<area>.bench.ts files in sequence and prints
 * each figure next to its same-run baseline, as a Markdown table ready for docs/benchmarks.md.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bench, BenchReport } from './types.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const wanted = args.filter((a) => !a.startsWith('--'));

function fmt(n: number): string {
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(3);
}

function render(r: BenchReport): string {
  const lines = [`### ${r.title}`, '', '| metric | value | baseline | ratio | target | met |', '|---|---|---|---|---|---|'];
  for (const row of r.rows) {
    const base = row.baseline ? `${row.baseline.name}: ${fmt(row.baseline.value)} ${row.unit}` : '';
    const ratio = row.baseline && row.baseline.value !== 0 ? `${(row.value / row.baseline.value).toFixed(2)}×` : '';
    const met = row.pass === undefined ? '' : row.pass ? 'yes' : 'NO';
    lines.push(`| ${row.metric} | ${fmt(row.value)} ${row.unit} | ${base} | ${ratio} | ${row.target ?? ''} | ${met} |`);
  }
  for (const n of r.notes ?? []) lines.push('', `- ${n}`);
  return lines.join('\n');
}

const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort();
const selected = files.filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)));
if (selected.length === 0) {
  process.stderr.write(`no benchmark matches ${wanted.join(', ')}; have: ${files.join(', ')}\n`);
  process.exit(2);
}
for (const file of selected) {
  const workDir = await mkdtemp(join(tmpdir(), 'tarsier-bench-'));
  try {
    const mod = (await import(join(here, file))) as { default: Bench };
    const report = await mod.default({ workDir, quick });
    process.stdout.write(`${render(report)}\n\n`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
