import { readFileSync } from 'node:fs';

export const TOOL_NAME = 'Tarsier';
export const TOOL_URI = 'https://github.com/tarsier-security/tarsier';

let cached: string | undefined;
/** The package version, read once from package.json next to dist/ or src/. */
export function toolVersion(): string {
  if (cached === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
      cached = pkg.version ?? '0.0.0';
    } catch {
      cached = '0.0.0';
    }
  }
  return cached;
}
