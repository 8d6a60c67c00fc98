/**
 * Go module versions (go.dev/ref/mod#versions): semantic versions with a `v` prefix, including
 * pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`, `v1.2.4-0.20191109021931-daa7c04131f5`),
 * which are pre-releases and so order by their timestamp below the next release, and
 * `+incompatible`, which is build metadata and does not change the order.
 *
 * Also accepted, because Go advisories and binaries write them so: versions without the `v`
 * (OSV `SEMVER` ranges of the Go vulnerability database), the shorthand `v1` / `v1.2`
 * (golang.org/x/mod/semver treats them as `v1.0.0` / `v1.2.0`), and Go toolchain versions for the
 * `stdlib` and `toolchain` modules: `go1.21` → 1.21.0, `go1.21.3`, `go1.21rc2` → 1.21.0-rc.2.
 */
import { compareSemver, parseSemverText } from './semver.js';
import type { SemverVersion } from './semver.js';
import { defineScheme } from './types.js';

const TOOLCHAIN = /^go(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?(?:\.(0|[1-9][0-9]*))?(?:(rc|beta|alpha)(0|[1-9][0-9]*))?$/;
const SHORTHAND = /^v?(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?$/;

export const go = defineScheme<SemverVersion>(
  'go',
  (input, fail) => {
    const text = input.trim();
    const toolchain = TOOLCHAIN.exec(text);
    if (toolchain) {
      const [, major, minor = '0', patch = '0', pre, preNumber] = toolchain;
      return {
        major: major as string,
        minor,
        patch,
        prerelease: pre ? [pre, preNumber as string] : [],
        build: [],
      };
    }
    const short = SHORTHAND.exec(text);
    if (short) return { major: short[1] as string, minor: short[2] ?? '0', patch: '0', prerelease: [], build: [] };
    if (text.startsWith('=')) fail('Go versions have no "=" prefix');
    return parseSemverText(text, fail);
  },
  compareSemver,
);

