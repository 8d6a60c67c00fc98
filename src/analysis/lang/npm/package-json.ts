/**
 * Installed npm packages: any `package.json` below a `node_modules` folder (local and global
 * installs, `usr/lib/node_modules`, pnpm's `node_modules/.pnpm/<id>/node_modules/<name>`). Files
 * deeper inside a package (`lib/package.json` markers, test fixtures) are read too: a marker
 * without name and version is not a package, and a fixture with both is code that ships in the
 * image. A `package.json` outside any `node_modules` is an application's own manifest, not an
 * installed package, and is not read.
 */
export function isInstalledPackageJson(path: string): boolean {
  if (!path.endsWith('/package.json')) return false;
  return path.startsWith('node_modules/') || path.includes('/node_modules/');
}

/** Whether `path` is a package's own root manifest (`node_modules/<name>/package.json`, `node_modules/@scope/<name>/package.json`). */
export function isPackageRoot(path: string): boolean {
  const parts = path.split('/');
  const n = parts.length;
  if (n >= 3 && parts[n - 3] === 'node_modules') return isPackageFolderName(parts[n - 2] as string);
  return n >= 4 && parts[n - 4] === 'node_modules' && (parts[n - 3] as string).startsWith('@') && isPackageFolderName(parts[n - 2] as string);
}

/** Folders npm itself uses inside node_modules (`.bin`, `.cache`, `.pnpm`) start with a dot; scopes with `@`. */
function isPackageFolderName(name: string): boolean {
  return name !== '' && !name.startsWith('.') && !name.startsWith('@');
}

export interface NpmManifest {
  name: string;
  version: string;
  licenses: string[];
}

export type ManifestRead = { status: 'ok'; manifest: NpmManifest } | { status: 'incomplete' } | { status: 'malformed'; reason: string };

/** Reads name, version and licenses; `incomplete` when name or version is missing. */
export function readNpmManifest(content: Buffer): ManifestRead {
  let json: unknown;
  try {
    json = JSON.parse(content.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    return { status: 'malformed', reason: (err as Error).message.split('\n')[0] ?? 'invalid JSON' };
  }
  if (!isRecord(json)) return { status: 'malformed', reason: 'not a JSON object' };
  const { name, version } = json;
  if (typeof name !== 'string' || typeof version !== 'string' || name.trim() === '' || version.trim() === '') return { status: 'incomplete' };
  return { status: 'ok', manifest: { name: name.trim(), version: version.trim(), licenses: licensesOf(json) } };
}

/**
 * `license` is an SPDX expression (or a legacy `{type}` object); older packages use a `licenses`
 * array of strings or `{type, url}` objects.
 */
function licensesOf(json: Record<string, unknown>): string[] {
  const out: string[] = [];
  const add = (v: unknown) => {
    const s = typeof v === 'string' ? v : isRecord(v) && typeof v.type === 'string' ? v.type : null;
    if (s && s.trim() !== '' && !out.includes(s.trim())) out.push(s.trim());
  };
  add(json.license);
  if (Array.isArray(json.licenses)) json.licenses.forEach(add);
  else add(json.licenses);
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
