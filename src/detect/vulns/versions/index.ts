/** Every version ordering by name, for code that learns the scheme from data (advisories, packages). */
import { apk } from './apk.js';
import { composer } from './composer.js';
import { dpkg } from './dpkg.js';
import { go } from './go.js';
import { maven } from './maven.js';
import { nuget } from './nuget.js';
import { pep440 } from './pep440.js';
import { rpm } from './rpm.js';
import { rubygems } from './rubygems.js';
import { semver } from './semver.js';
import type { SchemeName, VersionScheme } from './types.js';

export const SCHEMES: Readonly<Record<SchemeName, VersionScheme>> = {
  dpkg,
  rpm,
  apk,
  semver,
  pep440,
  maven,
  go,
  rubygems,
  nuget,
  composer,
};

export function schemeFor(name: SchemeName): VersionScheme {
  return SCHEMES[name];
}

export type { Ordering, SchemeName, VersionScheme } from './types.js';
export { InvalidVersionError } from './types.js';
