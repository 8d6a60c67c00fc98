/**
 * Platforms (`os/arch[/variant]`) and choosing one manifest out of an OCI image index or a
 * Docker manifest list. The rules follow containerd's: architecture aliases are normalised,
 * `arm64` means `arm64/v8`, `arm` means `arm/v7`, and a newer variant can run older ones
 * (`arm/v7` runs `arm/v6`, `amd64/v3` runs `amd64/v2`), preferring the closest.
 */
import { TarsierError } from '../errors.js';
import type { Descriptor, Platform } from './types.js';

export const DEFAULT_PLATFORM: Platform = Object.freeze({ os: 'linux', architecture: 'amd64' });

const ARCH_ALIASES: Record<string, Platform['architecture']> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  aarch64: 'arm64',
  i386: '386',
  i686: '386',
  armhf: 'arm',
  armel: 'arm',
};

/** The variant an architecture implies when none is written. */
const DEFAULT_VARIANT: Record<string, string> = { arm64: 'v8', arm: 'v7', amd64: 'v1' };

/** Variants each variant can also run, best first. */
const COMPATIBLE_VARIANTS: Record<string, Record<string, string[]>> = {
  arm: { v8: ['v8', 'v7', 'v6', 'v5'], v7: ['v7', 'v6', 'v5'], v6: ['v6', 'v5'], v5: ['v5'] },
  amd64: { v4: ['v4', 'v3', 'v2', 'v1'], v3: ['v3', 'v2', 'v1'], v2: ['v2', 'v1'], v1: ['v1'] },
};

const PART = /^[a-z0-9][a-z0-9._-]*$/;

/** Parses `linux/arm64`, `linux/arm/v7`, `linux/x86_64` … into a normalised platform. */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().toLowerCase().split('/');
  if (parts.length < 2 || parts.length > 3 || !parts.every((p) => PART.test(p))) {
    throw new TarsierError('usage', `invalid platform "${text}": expected OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm64/v8`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  // armhf and armel name a variant as well as an architecture.
  const impliedVariant = architecture === 'armhf' ? 'v7' : architecture === 'armel' ? 'v6' : undefined;
  return normalizePlatform({ os, architecture, variant: variant ?? impliedVariant });
}

/** Lower-cases, maps architecture aliases and drops variants that only restate the default. */
export function normalizePlatform(p: Platform): Platform {
  const os = p.os.toLowerCase();
  const rawArch = p.architecture.toLowerCase();
  const architecture = ARCH_ALIASES[rawArch] ?? rawArch;
  let variant = p.variant?.toLowerCase() || undefined;
  // `arm64/v8` and `arm64` are the same platform; so are `amd64/v1` and `amd64`.
  if (variant !== undefined && (architecture === 'arm64' || architecture === 'amd64') && variant === DEFAULT_VARIANT[architecture]) variant = undefined;
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

export function formatPlatform(p: Platform): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

function effectiveVariant(p: Platform): string | undefined {
  return p.variant ?? DEFAULT_VARIANT[p.architecture];
}

/** How well `have` serves `want`: 0 is exact, larger is a worse fallback, undefined is no match. */
function matchRank(want: Platform, have: Platform): number | undefined {
  if (want.os !== have.os || want.architecture !== have.architecture) return undefined;
  const w = effectiveVariant(want);
  const h = effectiveVariant(have);
  if (w === h) return 0;
  const compatible = w !== undefined ? COMPATIBLE_VARIANTS[want.architecture]?.[w] : undefined;
  const rank = h !== undefined ? (compatible?.indexOf(h) ?? -1) : -1;
  return rank >= 0 ? rank : undefined;
}

/** Attestation and signature entries that buildx puts in indexes; they are not images. */
function isRunnableImage(d: Descriptor): boolean {
  if (d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return false;
  return d.platform === undefined || (d.platform.os !== 'unknown' && d.platform.architecture !== 'unknown');
}

/**
 * Picks the manifest for `platform` from an image index / manifest list. `where` names the
 * image in the error, e.g. `registry 127.0.0.1:5000: app:1.0`. When no entry carries a
 * platform and there is exactly one image, that one is returned (single-image OCI layouts).
 */
export function selectManifest(index: { manifests: Descriptor[] } | Descriptor[], platform: Platform = DEFAULT_PLATFORM, where = 'image index'): Descriptor {
  const all = Array.isArray(index) ? index : index.manifests;
  const candidates = all.filter(isRunnableImage);
  const want = normalizePlatform(platform);
  let best: { desc: Descriptor; rank: number } | undefined;
  for (const desc of candidates) {
    if (!desc.platform) continue;
    const rank = matchRank(want, normalizePlatform(desc.platform));
    if (rank !== undefined && (best === undefined || rank < best.rank)) best = { desc, rank };
  }
  if (best) return best.desc;
  const only = candidates[0];
  if (candidates.length === 1 && only && !only.platform) return only;
  const available = candidates.map((d) => (d.platform ? formatPlatform(normalizePlatform(d.platform)) : 'unspecified'));
  const list = available.length > 0 ? [...new Set(available)].join(', ') : 'none';
  throw new TarsierError('not_found', `${where}: no image for platform ${formatPlatform(want)} (available: ${list})`);
}
