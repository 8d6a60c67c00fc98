/**
 * Image references: `HOST[:PORT]/REPO[:TAG][@DIGEST]`, and the Docker Hub short forms
 * (`alpine:3.19` → `docker.io/library/alpine:3.19`). Grammar from distribution/reference.
 */
import { TarsierError } from '../../errors.js';

export const DOCKER_HUB = 'docker.io';

export interface ImageReference {
  /** Registry host as written (`127.0.0.1:5000`, `docker.io`). */
  registry: string;
  /** Repository path inside the registry (`app`, `library/alpine`). */
  repository: string;
  tag?: string;
  digest?: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]{1,5})?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const HEX_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 };
const MAX_NAME_LENGTH = 255;

function invalid(input: string, why: string): TarsierError {
  return new TarsierError('usage', `invalid image reference "${input}": ${why}`);
}

/** True when the first path component names a registry rather than a Docker Hub namespace. */
function looksLikeDomain(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost' || component !== component.toLowerCase();
}

function checkDigest(input: string, digest: string): void {
  if (!DIGEST.test(digest)) throw invalid(input, `"${digest}" is not a digest (expected sha256:<64 hex digits>)`);
  const [algorithm = '', hex = ''] = digest.split(':');
  const length = HEX_LENGTH[algorithm];
  if (length === undefined) throw invalid(input, `digest algorithm "${algorithm}" is not supported (use sha256 or sha512)`);
  if (hex.length !== length || !/^[a-f0-9]+$/.test(hex)) throw invalid(input, `${algorithm} digest must be ${length} lower-case hex digits`);
}

export function parseReference(text: string): ImageReference {
  const input = text.trim();
  if (input === '') throw invalid(text, 'it is empty');
  if (/\s/.test(input)) throw invalid(input, 'it contains whitespace');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) throw invalid(input, 'write it without a URL scheme, e.g. 127.0.0.1:5000/app:1.0');

  const at = input.indexOf('@');
  const namePart = at >= 0 ? input.slice(0, at) : input;
  const digest = at >= 0 ? input.slice(at + 1) : undefined;
  if (digest !== undefined) checkDigest(input, digest);

  const lastSlash = namePart.lastIndexOf('/');
  const colon = namePart.lastIndexOf(':');
  const hasTag = colon > lastSlash;
  const name = hasTag ? namePart.slice(0, colon) : namePart;
  const tag = hasTag ? namePart.slice(colon + 1) : undefined;
  if (tag !== undefined && !TAG.test(tag)) throw invalid(input, `"${tag}" is not a valid tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
  if (name === '') throw invalid(input, 'the repository name is missing');

  const firstSlash = name.indexOf('/');
  const first = firstSlash >= 0 ? name.slice(0, firstSlash) : '';
  let registry: string;
  let repository: string;
  if (firstSlash >= 0 && looksLikeDomain(first)) {
    if (!DOMAIN.test(first)) throw invalid(input, `"${first}" is not a valid registry host`);
    registry = first === 'index.docker.io' || first === 'registry-1.docker.io' ? DOCKER_HUB : first;
    repository = name.slice(firstSlash + 1);
  } else {
    registry = DOCKER_HUB;
    repository = name;
  }
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;

  for (const component of repository.split('/')) {
    if (PATH_COMPONENT.test(component)) continue;
    if (component === '') throw invalid(input, 'the repository path has an empty component');
    if (component !== component.toLowerCase()) throw invalid(input, 'repository names must be lower-case');
    throw invalid(input, `"${component}" is not a valid repository path component (lower-case letters, digits, separated by . _ __ or -)`);
  }
  if (registry.length + 1 + repository.length > MAX_NAME_LENGTH) throw invalid(input, `the name is longer than ${MAX_NAME_LENGTH} characters`);

  // With neither tag nor digest, the tag is `latest`, as docker pull does.
  const ref: ImageReference = { registry, repository };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  if (tag === undefined && digest === undefined) ref.tag = 'latest';
  return ref;
}

/** `registry/repository[:tag][@digest]`. */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** What a registry is asked for: the digest when pinned (it wins over the tag), else the tag. */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}
