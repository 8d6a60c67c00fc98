/**
 * Built-in entry analyzer: what the merge needs from every layer besides analyzer facts —
 * whiteouts, opaque directories, symlinks and hardlinks — plus the entries build-risk rules look
 * at (setuid/setgid and world-writable files) and counts.
 */
import { posix } from 'node:path';
import type { EntryAnalyzer, LayerMetaFact } from '../types.js';

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';
const SETUID = 0o4000;
const SETGID = 0o2000;
const STICKY = 0o1000;
const WORLD_WRITABLE = 0o002;

export const layerMetaAnalyzer: EntryAnalyzer<LayerMetaFact> = {
  kind: 'entry',
  name: 'layer-meta',
  version: '3',
  wants: () => true,
  start(ctx) {
    const fact: LayerMetaFact = {
      kind: 'layer-meta',
      path: '',
      entries: 0,
      regularFiles: 0,
      totalFileBytes: 0,
      whiteouts: [],
      opaqueDirs: [],
      symlinks: {},
      dirs: [],
      hardlinks: {},
      specialModes: [],
    };
    return {
      visit(e) {
        fact.entries++;
        const base = posix.basename(e.path);
        if (base.startsWith(WHITEOUT_PREFIX)) {
          const dir = posix.dirname(e.path);
          if (base === OPAQUE_MARKER) fact.opaqueDirs.push(dir === '.' ? '' : dir);
          else {
            const target = base.slice(WHITEOUT_PREFIX.length);
            // `.wh.` alone would name the directory itself (at the root: the whole image) and
            // `.wh..`/`.wh...` its parents; no runtime deletes those, so neither do we.
            if (target === '' || target === '.' || target === '..') ctx.warn(`ignored whiteout ${e.path}: it names no file`);
            else fact.whiteouts.push(dir === '.' ? target : `${dir}/${target}`);
          }
          return;
        }
        if (e.type === 'symlink') fact.symlinks[e.path] = e.linkTarget ?? '';
        else if (e.type === 'hardlink') fact.hardlinks[e.path] = e.linkTarget ?? '';
        else if (e.type === 'dir' && e.path !== '') fact.dirs?.push(e.path);
        else if (e.type === 'file') {
          fact.regularFiles++;
          fact.totalFileBytes += e.size;
        }
        const special =
          (e.type === 'file' && (e.mode & (SETUID | SETGID)) !== 0) ||
          ((e.type === 'file' || e.type === 'dir') && (e.mode & WORLD_WRITABLE) !== 0 && (e.mode & STICKY) === 0);
        if (special) fact.specialModes.push({ path: e.path, mode: e.mode, uid: e.uid, type: e.type });
      },
      finish: () => [fact],
    };
  },
};
