import { posix } from 'node:path';
import type { Inventory, MergedFile } from './inventory.js';

const MAX_SYMLINK_HOPS = 40;

/**
 * Read-only view of the merged image filesystem for detectors (baseline rules). Only files kept by
 * the config-file collector have content. Symlinks are resolved inside the image root: an absolute
 * target is relative to the image root, and `..` never climbs above it.
 */
export class MergedFilesystem {
  constructor(
    private readonly files: Record<string, MergedFile>,
    private readonly symlinks: Record<string, string>,
  ) {}

  static of(inventory: Pick<Inventory, 'files' | 'symlinks'>): MergedFilesystem {
    return new MergedFilesystem(inventory.files, inventory.symlinks);
  }

  /** Resolve every symlink along `path`; returns the normalised real path, or null on a loop. */
  resolve(path: string): string | null {
    let parts = splitPath(path);
    let hops = 0;
    for (let i = 0; i < parts.length; i++) {
      const prefix = parts.slice(0, i + 1).join('/');
      const target = this.symlinks[prefix];
      if (target === undefined) continue;
      if (++hops > MAX_SYMLINK_HOPS) return null;
      const base = target.startsWith('/') ? [] : parts.slice(0, i);
      parts = [...splitPath([...base, target].join('/')), ...parts.slice(i + 1)];
      i = -1; // restart: the new prefix may itself contain symlinks
    }
    return parts.join('/');
  }

  /** The file at `path` (absolute or relative to root), following symlinks; undefined if absent. */
  file(path: string): MergedFile | undefined {
    const real = this.resolve(path);
    return real === null ? undefined : this.files[real];
  }

  /** Text content of a kept file, following symlinks. */
  read(path: string): string | undefined {
    const f = this.file(path);
    if (!f) return undefined;
    return f.encoding === 'utf8' ? f.content : Buffer.from(f.content, 'base64').toString('utf8');
  }

  exists(path: string): boolean {
    return this.file(path) !== undefined;
  }

  /** Kept files directly inside a directory (after resolving the directory's symlinks), sorted. */
  list(dir: string): string[] {
    const real = this.resolve(dir);
    if (real === null) return [];
    const prefix = real === '' ? '' : `${real}/`;
    const out: string[] = [];
    for (const p of Object.keys(this.files)) {
      if (p.startsWith(prefix) && !p.slice(prefix.length).includes('/')) out.push(p);
    }
    return out.sort();
  }
}

/** Normalise to root-relative segments; `..` at the root stays at the root. */
function splitPath(path: string): string[] {
  const norm = posix.normalize(`/${path}`);
  return norm.split('/').filter((s) => s !== '' && s !== '.');
}
