/**
 * Python package versions as PEP 440 defines them (packaging.python.org "Version specifiers"):
 * `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, with the normalisations the spec allows
 * (case, `alpha`/`beta`/`c`/`pre`/`preview` spellings, `rev`/`r` and the implicit `-N` post
 * release, optional separators and numbers, a leading `v`).
 *
 * Order: epoch, then release (trailing zeros ignored: 1.0 == 1.0.0), then pre-release
 * (a dev release of a final version sorts before its pre-releases), post-release, dev-release,
 * and finally the local label (numeric segments above alphanumeric ones). Versions that are not
 * PEP 440 ("legacy" versions) are invalid, as in current `packaging`.
 */
import { compareDigits, compareStrings, defineScheme } from './types.js';
import type { Ordering } from './types.js';

export interface Pep440Version {
  epoch: string;
  release: string[];
  pre: { rank: number; n: string } | null;
  post: string | null;
  dev: string | null;
  local: string[] | null;
}

const PEP440 =
  /^v?(?:([0-9]+)!)?([0-9]+(?:\.[0-9]+)*)(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?(?:-([0-9]+)|[-_.]?(post|rev|r)[-_.]?([0-9]+)?)?(?:[-_.]?(dev)[-_.]?([0-9]+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$/;

const PRE_RANK: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

export const pep440 = defineScheme<Pep440Version>(
  'pep440',
  (input, fail) => {
    const text = input.trim().toLowerCase();
    if (text === '') fail('version string is empty');
    const m = PEP440.exec(text);
    if (!m) return fail('not a PEP 440 version');
    const [, epoch = '0', release = '', preLabel, preN, implicitPostN, postLabel, postN, devLabel, devN, local] = m;
    const parts = release.split('.');
    while (parts.length > 1 && /^0+$/.test(parts[parts.length - 1] as string)) parts.pop();
    return {
      epoch,
      release: parts,
      pre: preLabel ? { rank: PRE_RANK[preLabel] ?? 0, n: preN ?? '0' } : null,
      post: implicitPostN ?? (postLabel ? (postN ?? '0') : null),
      dev: devLabel ? (devN ?? '0') : null,
      local: local ? local.split(/[-_.]/) : null,
    };
  },
  (a, b) =>
    compareDigits(a.epoch, b.epoch) ||
    compareRelease(a.release, b.release) ||
    comparePre(a, b) ||
    compareOptional(a.post, b.post, -1) ||
    compareOptional(a.dev, b.dev, 1) ||
    compareLocal(a.local, b.local),
);

function compareRelease(a: string[], b: string[]): Ordering {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const r = compareDigits(a[i] ?? '0', b[i] ?? '0');
    if (r !== 0) return r;
  }
  return 0;
}

/** -1 sorts below every pre-release (a bare dev release), 1 above (no pre-release). */
function preKey(v: Pep440Version): number {
  if (v.pre) return 0;
  return v.post === null && v.dev !== null ? -1 : 1;
}

function comparePre(a: Pep440Version, b: Pep440Version): Ordering {
  const ka = preKey(a);
  const kb = preKey(b);
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (!a.pre || !b.pre) return 0;
  if (a.pre.rank !== b.pre.rank) return a.pre.rank < b.pre.rank ? -1 : 1;
  return compareDigits(a.pre.n, b.pre.n);
}

/** Compares optional numbers; `missing` says where an absent one sorts (-1 below, 1 above). */
function compareOptional(a: string | null, b: string | null, missing: -1 | 1): Ordering {
  if (a === null || b === null) {
    if (a === b) return 0;
    return a === null ? missing : (-missing as Ordering);
  }
  return compareDigits(a, b);
}

function compareLocal(a: string[] | null, b: string[] | null): Ordering {
  if (a === null || b === null) {
    if (a === b) return 0;
    return a === null ? -1 : 1;
  }
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    const xNum = /^[0-9]+$/.test(x);
    const yNum = /^[0-9]+$/.test(y);
    let r: Ordering;
    if (xNum && yNum) r = compareDigits(x, y);
    else if (xNum) r = 1;
    else if (yNum) r = -1;
    else r = compareStrings(x, y);
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
