/**
 * Alpine secdb JSON (secdb.alpinelinux.org/<branch>/<repo>.json): per branch and repository, each
 * ORIGIN package's `secfixes` map — "this package release fixes these issues". A package release
 * below the fixed one is affected; the key `0` means the package was never affected (it subtracts
 * matches from other feeds). The file says nothing about issues not yet fixed.
 *
 * Output: one Advisory per issue id per file, with one affected entry per package. Ids are written
 * loosely in the wild (`CVE-2019-11091  XSA-297`, `CVE-2018-14469 (IKEv1)`, `CVE_2019-2426`):
 * the first id is the issue, further ids are its aliases, parenthesised notes are dropped.
 * When one file lists an issue under two releases of a package, the lower one is taken: Alpine
 * says the issue was fixed from that release on (later listings re-state or extend the fix).
 */
import { apk } from '../detect/vulns/versions/apk.js';
import { alpineBranch } from './ecosystems.js';
import type { Advisory, AffectedPackage, ReadOptions } from './types.js';

interface Fix {
  aliases: Set<string>;
  /** package → lowest fixed release, or `0` for not affected */
  packages: Map<string, string>;
}

/** Parses one secdb document; `where` names it in messages. Throws on a document that is not secdb. */
export function parseAlpineSecdb(doc: unknown, where: string, opts: ReadOptions = {}): Advisory[] {
  const warn = opts.warn ?? (() => undefined);
  if (!isObject(doc) || typeof doc.distroversion !== 'string' || !Array.isArray(doc.packages)) {
    throw new Error(`${where}: not an Alpine secdb document (needs "distroversion" and "packages")`);
  }
  const ecosystem = alpineBranch(doc.distroversion);
  if (!ecosystem) throw new Error(`${where}: unrecognised Alpine branch ${JSON.stringify(doc.distroversion)}`);
  const repo = typeof doc.reponame === 'string' && /^[a-z0-9_-]+$/i.test(doc.reponame) ? doc.reponame : 'main';
  const source = `alpine-secdb:${doc.distroversion}/${repo}`;

  const fixes = new Map<string, Fix>();
  for (const [index, entry] of doc.packages.entries()) {
    const pkg = isObject(entry) && isObject(entry.pkg) ? entry.pkg : null;
    const name = pkg && typeof pkg.name === 'string' ? pkg.name.trim() : '';
    if (!pkg || name === '') {
      warn(`${where}: packages[${index}] has no pkg.name; skipped`);
      continue;
    }
    if (pkg.secfixes === undefined || pkg.secfixes === null) continue;
    if (!isObject(pkg.secfixes)) {
      warn(`${where}: ${name}: secfixes is not an object; skipped`);
      continue;
    }
    for (const [version, ids] of Object.entries(pkg.secfixes)) {
      const notAffected = version.trim() === '0';
      const problem = notAffected ? null : apk.check(version);
      if (problem) {
        warn(`${where}: ${name}: fixed version ${JSON.stringify(version)}: ${problem}; skipped`);
        continue;
      }
      for (const written of Array.isArray(ids) ? ids : []) {
        if (typeof written !== 'string') continue;
        const parsed = parseIds(written);
        if (!parsed) {
          warn(`${where}: ${name} ${version}: no issue id in ${JSON.stringify(written)}; skipped`);
          continue;
        }
        let fix = fixes.get(parsed.id);
        if (!fix) fixes.set(parsed.id, (fix = { aliases: new Set(), packages: new Map() }));
        parsed.aliases.forEach((a) => fix.aliases.add(a));
        const fixedAt = notAffected ? '0' : version.trim();
        const before = fix.packages.get(name);
        if (before === undefined || lower(fixedAt, before)) fix.packages.set(name, fixedAt);
      }
    }
  }

  const advisories: Advisory[] = [];
  for (const [id, fix] of fixes) {
    const affected: AffectedPackage[] = [...fix.packages].map(([name, fixed]) =>
      fixed === '0'
        ? { namespace: ecosystem.namespace, name, nameKind: 'source', scheme: 'apk', ranges: [], status: 'not_affected' }
        : { namespace: ecosystem.namespace, name, nameKind: 'source', scheme: 'apk', ranges: [{ fixed }], status: 'fixed' },
    );
    advisories.push({ id, aliases: [...fix.aliases].filter((a) => a !== id), source, affected });
  }
  return advisories;
}

/** `0` (not affected) wins over any release; otherwise the lower release. */
function lower(a: string, b: string): boolean {
  if (a === '0' || b === '0') return a === '0' && b !== '0';
  return apk.compare(a, b) < 0;
}

const ID_TOKEN = /^[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)+$/;

function parseIds(written: string): { id: string; aliases: string[] } | null {
  const tokens = written
    .replace(/\([^)]*\)/g, ' ')
    .split(/\s+/)
    .map((t) => t.replace(/^CVE_(?=\d{4}-)/i, 'CVE-'))
    .filter((t) => ID_TOKEN.test(t));
  const [id, ...aliases] = tokens;
  return id ? { id, aliases } : null;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
