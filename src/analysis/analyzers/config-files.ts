/**
 * Config-file collector: keeps the files baseline and build-risk rules read, as `FileContentFact`s,
 * so detectors can evaluate the merged filesystem without touching layers again. Private keys and
 * credential files are kept as metadata only (mode, owner, size; empty content, `truncated`).
 *
 * Two analyzers share this module because they share one path list: `config-files` reads regular
 * files; `config-tree` (an entry analyzer, since the walker offers only regular files to file
 * analyzers) records the mode and owner of a few directories rules judge (home and cron
 * directories), one file per package-cache root (pip, npm, yarn, go, maven) as proof the cache is
 * there, and a small sample of entries per non-root owner, for the unowned-files check.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { BASELINE_DIRS, BASELINE_PATTERNS, isSecretMaterial } from '../../detect/baseline/paths.js';
import { compileGlobs } from '../../detect/baseline/path-patterns.js';
import type { PathPattern } from '../../detect/baseline/path-patterns.js';
import { BUILD_PATTERNS, cacheRootOf, CACHE_MARKERS, VENDORED_TREE } from '../../detect/build/paths.js';
import type { EntryAnalyzer, EntryInfo, FileAnalyzer, FileContentFact } from '../types.js';

/** Largest file kept with content; config files are far smaller, this only bounds hostile input. */
export const CONFIG_FILE_MAX_BYTES = 256 * 1024;
/** Bump when the fact shape or the decision logic below changes. */
const LOGIC_VERSION = 1;
/** Owner samples per layer: distinct uid:gid pairs, and paths kept for each. */
const MAX_OWNERS_PER_LAYER = 64;
const SAMPLES_PER_OWNER = 2;

const ALL_PATTERNS: readonly PathPattern[] = [...BASELINE_PATTERNS, ...BUILD_PATTERNS];
const contentRe = compileGlobs(ALL_PATTERNS.filter((p) => p.keep === 'content').map((p) => p.glob));
const metaRe = compileGlobs(ALL_PATTERNS.filter((p) => p.keep === 'meta').map((p) => p.glob));
const dirRe = compileGlobs(BASELINE_DIRS);

const PATTERN_HASH = createHash('sha256')
  .update(JSON.stringify({ patterns: ALL_PATTERNS, dirs: BASELINE_DIRS, caches: CACHE_MARKERS, secret: isSecretMaterial.toString(), vendored: VENDORED_TREE.source }))
  .digest('hex')
  .slice(0, 12);

/** How the collector keeps a path, or null when it does not want it. */
export function keepModeFor(path: string): 'content' | 'meta' | null {
  if (VENDORED_TREE.test(path)) return null;
  // An explicit content pattern wins over a broad meta one (root/.ssh/authorized_keys vs **/.ssh/*).
  if (contentRe?.test(path)) return isSecretMaterial(path) ? 'meta' : 'content';
  if (metaRe?.test(path)) return 'meta';
  return null;
}

function metaFact(entry: EntryInfo): FileContentFact {
  return {
    kind: 'file',
    path: entry.path,
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    size: entry.type === 'file' ? entry.size : 0,
    content: '',
    encoding: 'utf8',
    truncated: entry.type === 'file' && entry.size > 0,
  };
}

/** Text stays readable; anything that is not valid UTF-8 (or holds NULs) is kept as base64. */
function encode(content: Buffer): Pick<FileContentFact, 'content' | 'encoding'> {
  const text = content.toString('utf8');
  const roundTrips = Buffer.byteLength(text, 'utf8') === content.length && !text.includes('\uFFFD');
  if (roundTrips && !text.includes('\0')) return { content: text, encoding: 'utf8' };
  return { content: content.toString('base64'), encoding: 'base64' };
}

export const configFilesAnalyzer: FileAnalyzer<FileContentFact> = {
  kind: 'file',
  name: 'config-files',
  version: `${LOGIC_VERSION}+${PATTERN_HASH}`,
  maxBytes: CONFIG_FILE_MAX_BYTES,
  wants: (entry) => keepModeFor(entry.path) !== null,
  analyze(entry, content) {
    if (keepModeFor(entry.path) === 'meta') return [metaFact(entry)];
    return [{ ...metaFact(entry), ...encode(content), truncated: content.length < entry.size }];
  },
  // Too large to keep: the path still exists with its mode and owner, which several rules need.
  oversized: (entry) => [metaFact(entry)],
};

export const configTreeAnalyzer: EntryAnalyzer<FileContentFact> = {
  kind: 'entry',
  name: 'config-tree',
  version: `${LOGIC_VERSION}+${PATTERN_HASH}+${MAX_OWNERS_PER_LAYER}x${SAMPLES_PER_OWNER}`,
  wants: () => true,
  start() {
    const facts: FileContentFact[] = [];
    const samples = new Map<string, number>();
    const cacheRoots = new Set<string>();
    return {
      visit(e) {
        if (e.type !== 'file' && e.type !== 'dir') return;
        if (posix.basename(e.path).startsWith('.wh.')) return;
        if (e.type === 'dir' && dirRe?.test(e.path)) {
          facts.push(metaFact(e));
          return;
        }
        if (e.type === 'file' && keepModeFor(e.path) !== null) return; // the file collector records it
        // Package caches hold thousands of files: one sample per cache root per layer shows it is there.
        const cache = e.type === 'file' ? cacheRootOf(e.path) : null;
        if (cache !== null && !cacheRoots.has(cache)) {
          cacheRoots.add(cache);
          facts.push(metaFact(e));
          return;
        }
        // Root-owned entries always resolve their owner.
        if (e.uid === 0 && e.gid === 0) return;
        const owner = `${e.uid}:${e.gid}`;
        const n = samples.get(owner) ?? 0;
        if (n >= SAMPLES_PER_OWNER || (n === 0 && samples.size >= MAX_OWNERS_PER_LAYER)) return;
        samples.set(owner, n + 1);
        facts.push(metaFact(e));
      },
      finish: () => facts,
    };
  },
};
