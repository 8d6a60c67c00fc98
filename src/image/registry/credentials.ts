/**
 * Where registry credentials come from, first match wins: explicit options, then the
 * environment (`TARSIER_USERNAME` / `TARSIER_PASSWORD`, or the longer
 * `TARSIER_REGISTRY_USERNAME` / `TARSIER_REGISTRY_PASSWORD`), then the `auths`
 * section of Docker's `config.json` (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`).
 * Credential helpers (`credsStore`, `credHelpers`) are programs we do not run.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TarsierError } from '../../errors.js';
import { DOCKER_HUB } from './reference.js';

export type RegistryCredentials =
  | { username: string; password: string }
  /** An OAuth2 refresh token from `docker login` against some registries (`identitytoken`). */
  | { username?: string; identityToken: string };

export interface CredentialSources {
  username?: string;
  password?: string;
  /** A Docker config file, or a directory holding `config.json`. */
  dockerConfigPath?: string;
  env?: NodeJS.ProcessEnv;
}

/** One `auths` entry; fields are unknown because the file is the user's, not ours. */
interface DockerAuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
}

/** Docker Hub appears in config files under several names. */
const DOCKER_HUB_KEYS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** `https://host:port/v1/` → `host:port`, the way docker matches config keys. */
function registryOfKey(key: string): string {
  const withoutScheme = key.replace(/^[a-z]+:\/\//i, '');
  const host = withoutScheme.split('/')[0] ?? '';
  return DOCKER_HUB_KEYS.has(host) ? DOCKER_HUB : host.toLowerCase();
}

export function dockerConfigFile(sources: CredentialSources = {}): string {
  const env = sources.env ?? process.env;
  const path = sources.dockerConfigPath ?? env.DOCKER_CONFIG;
  if (path === undefined || path === '') return join(homedir(), '.docker', 'config.json');
  return path.endsWith('.json') ? path : join(path, 'config.json');
}

function readDockerConfig(file: string): { auths?: Record<string, DockerAuthEntry> } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TarsierError('input', `cannot read docker config ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as { auths?: Record<string, DockerAuthEntry> };
  } catch {
    throw new TarsierError('input', `docker config ${file} is not valid JSON`);
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function credentialsOfEntry(entry: DockerAuthEntry, file: string, key: string): RegistryCredentials | undefined {
  const identityToken = text(entry.identitytoken);
  const username = text(entry.username);
  const password = text(entry.password);
  const auth = text(entry.auth);
  if (identityToken) return { identityToken, ...(username ? { username } : {}) };
  if (username && password) return { username, password };
  if (auth) {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // The value is a secret: say where it is, never what it holds.
    if (colon <= 0) throw new TarsierError('input', `docker config ${file}: "auth" for ${key} is not base64 of username:password`);
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Credentials for `registry` (as written in the image reference), or undefined for anonymous. */
export function resolveCredentials(registry: string, sources: CredentialSources = {}): RegistryCredentials | undefined {
  const env = sources.env ?? process.env;
  const username = nonEmpty(sources.username) ?? nonEmpty(env.TARSIER_USERNAME) ?? nonEmpty(env.TARSIER_REGISTRY_USERNAME);
  const password = sources.password ?? env.TARSIER_PASSWORD ?? env.TARSIER_REGISTRY_PASSWORD;
  if (username !== undefined) {
    if (password === undefined) throw new TarsierError('usage', `registry ${registry}: a username was given without a password (use --password or TARSIER_PASSWORD)`);
    return { username, password };
  }
  if (nonEmpty(sources.password) !== undefined) throw new TarsierError('usage', `registry ${registry}: a password was given without a username (use --username or TARSIER_USERNAME)`);
  const file = dockerConfigFile(sources);
  const auths = readDockerConfig(file)?.auths ?? {};
  const wanted = registryOfKey(registry);
  for (const [key, entry] of Object.entries(auths)) {
    if (registryOfKey(key) !== wanted || entry === null || typeof entry !== 'object') continue;
    const creds = credentialsOfEntry(entry, file, key);
    if (creds) return creds;
  }
  return undefined;
}
