/** What a registry sync needs from each kind of registry: every tag it holds, with its digest. */

export interface ListedTag {
  /** Repository path on the registry host, as pulled: `team/app`, `library/nginx`, `docker-local/app`. */
  repository: string;
  /** HSS namespace: the organisation, Harbor project or Artifactory repository key. */
  namespace: string;
  /** The repository inside the namespace. */
  imageName: string;
  tag: string;
  /** Manifest digest, when the listing API gives it (Harbor); else resolved with `digestOf`. */
  digest?: string;
  size?: number;
}

export interface RegistryLister {
  /** Every tag, restricted to the registry's namespace when one is set. */
  tags(): AsyncGenerator<ListedTag>;
  /** The tag's manifest digest now, or undefined when the tag vanished since it was listed. */
  digestOf(tag: ListedTag): Promise<{ digest: string; size?: number } | undefined>;
  close(): Promise<void>;
}

export interface ListerRegistry {
  type: string;
  protocol: 'http' | 'https';
  /** host[:port] */
  addr: string;
  /** Organisation / Harbor project / Artifactory repository key; a comma list names several. */
  namespace: string | null;
  username?: string;
  password?: string;
}

/** `a, b` → [a, b]; null or blank → []. */
export function namespaces(value: string | null): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** `team/app` → namespace `team`, image `app`; a single-segment repository has no namespace. */
export function splitRepository(repository: string): { namespace: string; imageName: string } {
  const slash = repository.indexOf('/');
  return slash < 0 ? { namespace: '', imageName: repository } : { namespace: repository.slice(0, slash), imageName: repository.slice(slash + 1) };
}
