/**
 * NuGet package versions, ordered as NuGet.Versioning's default comparer:
 * `Major[.Minor[.Patch[.Revision]]][-label(.label)*][+metadata]`, missing parts are 0, numbers may
 * have leading zeros (`1.01` = `1.1`, legacy versions). A version with release labels is lower
 * than the same version without; labels compare as SemVer 2 pre-release identifiers, except that
 * alphanumeric ones compare case-insensitively. Build metadata is ignored.
 */
import { comparePrerelease } from './semver.js';
import { compareDigits, defineScheme } from './types.js';

export interface NuGetVersion {
  parts: [string, string, string, string];
  labels: string[];
}

const NUGET = /^([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export const nuget = defineScheme<NuGetVersion>(
  'nuget',
  (input, fail) => {
    const text = input.trim();
    if (text === '') fail('version string is empty');
    const m = NUGET.exec(text);
    if (!m) return fail('expected Major[.Minor[.Patch[.Revision]]][-label][+metadata]');
    return { parts: [m[1] as string, m[2] ?? '0', m[3] ?? '0', m[4] ?? '0'], labels: m[5] ? m[5].split('.') : [] };
  },
  (a, b) =>
    compareDigits(a.parts[0], b.parts[0]) ||
    compareDigits(a.parts[1], b.parts[1]) ||
    compareDigits(a.parts[2], b.parts[2]) ||
    compareDigits(a.parts[3], b.parts[3]) ||
    comparePrerelease(a.labels, b.labels, true),
);
