/**
 * A hash of the code that turns layer facts into an inventory and an inventory into findings
 * (merge, analyzers and their parsers, the sensitive/baseline/build detectors). A cached scan
 * result is only as good as that code: hashing the modules themselves means any edit, even one
 * nobody remembered to mark with a version bump, makes old results misses. Vulnerability matching
 * is left out on purpose: it always runs live against the current advisory database.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolVersion } from '../report/tool.js';

/** Folders under src/ (or dist/) whose modules shape a cached result; `detect/vulns` is live. */
const RESULT_CODE = ['analysis', 'detect/baseline', 'detect/build', 'detect/sensitive', 'detect/run-detectors', 'scan'];

function isModule(name: string): boolean {
  return /\.(?:ts|js|mjs|json)$/.test(name) && !name.endsWith('.d.ts') && !/\.test\.[jt]s$/.test(name);
}

function addTree(h: ReturnType<typeof createHash>, root: string, rel: string): void {
  let names: string[];
  try {
    names = readdirSync(join(root, rel)).sort();
  } catch {
    // A single module (detect/run-detectors) rather than a folder.
    for (const ext of ['.ts', '.js']) {
      try {
        h.update(`${rel}${ext}\0${readFileSync(join(root, rel + ext), 'utf8')}\0`);
      } catch {
        // Not this extension.
      }
    }
    return;
  }
  for (const name of names) {
    const path = `${rel}/${name}`;
    if (isModule(name)) h.update(`${path}\0${readFileSync(join(root, path), 'utf8')}\0`);
    else if (!name.includes('.')) addTree(h, root, path);
  }
}

/** Hex digest of the result-shaping modules under `root` (a src/ or dist/ folder). */
export function codeFingerprint(root: string): string {
  const h = createHash('sha256');
  h.update(`tarsier ${toolVersion()}\0`);
  for (const rel of RESULT_CODE) addTree(h, root, rel);
  return h.digest('hex').slice(0, 32);
}

let memo: string | undefined;

/** {@link codeFingerprint} of the running code; computed once per process. */
export function resultCodeFingerprint(): string {
  return (memo ??= codeFingerprint(runningCodeRoot()));
}

/**
 * The relative modules `entry` loads, itself included, as paths under `root` without extension
 * (`detect/build/evaluate`). Static and dynamic `import … from './x.js'` and re-exports count;
 * `import type` counts only with `typeImports` (a type cannot change what runs, but a
 * fingerprint may still include it). Imports of packages and node: modules are not followed.
 */
export function moduleClosure(root: string, entry: string, opts: { typeImports?: boolean } = {}): string[] {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const rel = todo.pop()!;
    if (seen.has(rel)) continue;
    const text = readModule(root, rel);
    if (text === undefined) continue;
    seen.add(rel);
    for (const spec of relativeImports(text, opts.typeImports === true)) {
      const target = posix.normalize(posix.join(posix.dirname(rel), spec)).replace(/\.(?:js|ts|mjs)$/, '');
      if (!target.startsWith('..')) todo.push(target);
    }
  }
  return [...seen].sort();
}

function readModule(root: string, rel: string): string | undefined {
  for (const ext of ['.ts', '.js']) {
    try {
      return readFileSync(join(root, rel + ext), 'utf8');
    } catch {
      // Not this extension (src/ has .ts, dist/ has .js).
    }
  }
  return undefined;
}

const STATIC_IMPORT = /(?:^|[\n;])\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;
const DYNAMIC_IMPORT = /\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function relativeImports(text: string, typeImports: boolean): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(STATIC_IMPORT)) if (typeImports || !m[2]) out.push(m[3]!);
  for (const m of text.matchAll(DYNAMIC_IMPORT)) out.push(m[1]!);
  return out;
}

/** Hex digest of the modules `entry` loads (types included): changes whenever their code does. */
export function closureFingerprint(root: string, entry: string): string {
  const h = createHash('sha256');
  for (const rel of moduleClosure(root, entry, { typeImports: true })) h.update(`${rel}\0${readModule(root, rel)}\0`);
  return h.digest('hex').slice(0, 16);
}

/** The src/ or dist/ folder the running code was loaded from. */
export function runningCodeRoot(): string {
  return fileURLToPath(new URL('..', import.meta.url));
}
