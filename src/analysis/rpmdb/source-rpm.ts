/**
 * Source RPM file names, as the SOURCERPM tag holds them: `<name>-<version>-<release>.src.rpm`
 * (`.nosrc.rpm` for packages built without shipping sources). Neither version nor release may
 * contain `-`, so the last two dashes split the name off; names may contain dashes.
 */
export interface SourceRpm {
  name: string;
  version: string;
  release: string;
}

/** Longer than any real file name; keeps a hostile header from costing more than a glance. */
const MAX_LENGTH = 1024;
const SUFFIXES = ['.src.rpm', '.nosrc.rpm'];

export function parseSourceRpm(fileName: string): SourceRpm | undefined {
  if (fileName.length > MAX_LENGTH) return undefined;
  const suffix = SUFFIXES.find((s) => fileName.endsWith(s));
  if (!suffix) return undefined;
  const stem = fileName.slice(0, -suffix.length);
  const releaseDash = stem.lastIndexOf('-');
  if (releaseDash <= 0) return undefined;
  const versionDash = stem.lastIndexOf('-', releaseDash - 1);
  if (versionDash <= 0) return undefined;
  const name = stem.slice(0, versionDash);
  const version = stem.slice(versionDash + 1, releaseDash);
  const release = stem.slice(releaseDash + 1);
  if (!version || !release) return undefined;
  return { name, version, release };
}
