/**
 * Files the build-risk rules look at, kept by the config-file collector next to the baseline set.
 * Build-context leftovers and caches are kept as metadata only (their presence is the finding).
 */
import type { PathPattern } from '../baseline/path-patterns.js';

/** Directories whose presence in the image means the build context was copied wholesale. */
export const CONTEXT_DIRS = ['.git', '.aws', '.azure', '.gcp', '.docker', '.kube', '.vscode', '.idea', '.ssh'] as const;
/** File names that come from a build context, never from a package. */
export const CONTEXT_FILES = [
  'Dockerfile',
  'docker-compose.yml',
  'docker-compose.yaml',
  '.env',
  '.npmrc',
  '.pypirc',
  '.netrc',
  '.vimrc',
  '.DS_Store',
] as const;

export const BUILD_PATTERNS: readonly PathPattern[] = [
  { glob: 'etc/sudoers', keep: 'content' },
  { glob: 'etc/sudoers.d/*', keep: 'content' },
  { glob: 'etc/apt/sources.list', keep: 'content' },
  { glob: 'etc/apt/sources.list.d/*', keep: 'content' },
  { glob: 'etc/yum.conf', keep: 'content' },
  { glob: 'etc/dnf/dnf.conf', keep: 'content' },
  { glob: 'etc/yum.repos.d/*', keep: 'content' },
  { glob: 'etc/ssl/private/*', keep: 'meta' },
  { glob: 'usr/sbin/sshd', keep: 'meta' },
  { glob: 'usr/sbin/dropbear', keep: 'meta' },
  // build-context leftovers: one marker per directory keeps the fact list small
  { glob: '**/.git/HEAD', keep: 'meta' },
  ...CONTEXT_DIRS.filter((d) => d !== '.git').map((d): PathPattern => ({ glob: `**/${d}/*`, keep: 'meta' })),
  ...CONTEXT_FILES.map((f): PathPattern => ({ glob: `**/${f}`, keep: 'meta' })),
  // OS package-manager caches
  { glob: 'var/lib/apt/lists/*_Packages*', keep: 'meta' },
  { glob: 'var/cache/apt/archives/*.deb', keep: 'meta' },
  { glob: 'var/cache/apk/*', keep: 'meta' },
  { glob: 'var/cache/yum/**/repomd.xml', keep: 'meta' },
  { glob: 'var/cache/dnf/**/repomd.xml', keep: 'meta' },
  { glob: 'var/cache/zypp/**/repomd.xml', keep: 'meta' },
];

/**
 * Language package caches, by the path fragment that starts them. The collector keeps one sample
 * file per cache root and layer (caches hold thousands of files).
 */
export const CACHE_MARKERS: ReadonlyArray<readonly [marker: string, kind: string]> = [
  ['.cache/pip/', 'pip'],
  ['.npm/_cacache/', 'npm'],
  ['.cache/yarn/', 'yarn'],
  ['.yarn-cache/', 'yarn'],
  ['.cache/go-build/', 'go build'],
  ['go/pkg/mod/cache/', 'go module'],
  ['.m2/repository/', 'maven'],
  ['.gradle/caches/', 'gradle'],
  ['.composer/cache/', 'composer'],
];

export const CACHE_KINDS: readonly string[] = [...new Set(CACHE_MARKERS.map(([, k]) => k))];

function cacheMatch(path: string): { root: string; kind: string } | null {
  for (const [marker, kind] of CACHE_MARKERS) {
    const at = path.startsWith(marker) ? 0 : path.indexOf(`/${marker}`) + 1;
    if (at === 0 && !path.startsWith(marker)) continue;
    return { root: path.slice(0, at + marker.length), kind };
  }
  return null;
}

/** The cache directory a file belongs to (`root/.cache/pip/`), or null. */
export function cacheRootOf(path: string): string | null {
  return cacheMatch(path)?.root ?? null;
}

/** The kind of language cache a file belongs to (`pip`, `npm`…), or null. */
export function cacheKindOf(path: string): string | null {
  return cacheMatch(path)?.kind ?? null;
}

/** Vendored dependency trees carry upstream Dockerfiles and dot-files that are not leftovers. */
export const VENDORED_TREE = /(?:^|\/)(?:node_modules|vendor|site-packages|dist-packages|\.cargo\/registry|go\/pkg\/mod)\//;
