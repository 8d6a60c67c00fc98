/**
 * Glob expansion over the merged image filesystem, the way a shell (and sshd's `Include`) sees it:
 * symlinked entries are listed under their own names, and results are sorted lexically.
 */
import { posix } from 'node:path';
import type { Inventory } from '../../analysis/inventory.js';
import type { MergedFilesystem } from '../../analysis/merged-fs.js';
import { globMatches, segmentMatches } from './path-patterns.js';

const WILDCARD = /[*?[]/;

/** Absolute paths matching an absolute glob whose targets are kept files (symlinks followed). */
export function globFiles(fs: MergedFilesystem, inv: Pick<Inventory, 'files' | 'symlinks'>, pattern: string): string[] {
  const norm = posix.normalize(`/${pattern}`);
  const dir = posix.dirname(norm);
  const baseGlob = posix.basename(norm);
  const candidates = new Set<string>();
  if (!WILDCARD.test(dir)) {
    // Resolve the directory once (it may itself be a symlink), then list entries under it.
    const realDir = fs.resolve(dir);
    if (realDir === null) return [];
    const prefix = realDir === '' ? '' : `${realDir}/`;
    for (const p of [...Object.keys(inv.files), ...Object.keys(inv.symlinks)]) {
      if (!p.startsWith(prefix)) continue;
      const rest = p.slice(prefix.length);
      if (rest.includes('/') || !segmentMatches(baseGlob, rest)) continue;
      if (rest.startsWith('.') && !baseGlob.startsWith('.')) continue; // glob(3) skips dot-files
      candidates.add(posix.join(dir, rest));
    }
  } else {
    for (const p of [...Object.keys(inv.files), ...Object.keys(inv.symlinks)]) if (globMatches(norm.slice(1), p)) candidates.add(`/${p}`);
  }
  return [...candidates].filter((p) => fs.file(p) !== undefined).sort();
}
