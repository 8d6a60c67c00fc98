/**
 * Turns a Go toolchain version (`go1.19.8`, `go1.21rc2`, `go1.20`, `go1.22.1 X:boringcrypto`)
 * into the semver form Go modules use (`v1.19.8`, `v1.21.0-rc.2`, `v1.20.0`), so the stdlib can
 * be matched like any other Go module. Anything after the first space or hyphen is a build
 * annotation (experiments, vendor build tags), not part of the release. Development builds
 * (`devel go1.23-abc…`) name no release and give null.
 */
const RELEASE = /^go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(beta|rc)(\d+))?$/;

export function goToolchainSemver(runtimeVersion: string): string | null {
  const release = runtimeVersion.split(/[ -]/, 1)[0] ?? '';
  const m = RELEASE.exec(release);
  if (!m) return null;
  const [, major, minor = '0', patch = '0', pre, preNum] = m;
  return `v${major}.${minor}.${patch}${pre ? `-${pre}.${preNum}` : ''}`;
}
