import type { OsFact, OsInfo } from './types.js';

/**
 * The image's OS from the OS facts of the merged filesystem. The most trusted file decides the
 * family, name and version (os-release over vendor files over redhat/system-release; see
 * analyzers/os-release.ts). Files of the same family fill in what it leaves out — e.g. Debian
 * testing's os-release has no VERSION_ID but debian_version says `trixie/sid`. Facts of another
 * family never mix in: an Ubuntu image also carries a Debian `debian_version`.
 */
export function chooseOs(facts: OsFact[]): OsInfo | null {
  const ranked = [...facts].sort((a, b) => b.priority - a.priority || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const best = ranked[0];
  if (!best) return null;
  const os: OsInfo = { ...best.os };
  for (const fact of ranked.slice(1)) {
    if (fact.os.family !== os.family) continue;
    if (!os.version && fact.os.version) os.version = fact.os.version;
    if (!os.codename && fact.os.codename) os.codename = fact.os.codename;
  }
  // A rolling release with only a codename (Debian sid without debian_version) is named by it.
  if (!os.version && os.codename) os.version = os.codename;
  return os;
}
