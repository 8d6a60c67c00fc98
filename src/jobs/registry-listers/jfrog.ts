/**
 * JFrog Artifactory (and JCR) through its Docker REST API: List Docker Repositories
 * (`/artifactory/api/docker/{repoKey}/v2/_catalog`) and List Docker Tags
 * (`/artifactory/api/docker/{repoKey}/v2/{image}/tags/list`), paged with `n` and `last`.
 * The registry's namespace is the Artifactory repository key (a comma list names several);
 * without one, every local Docker repository (`/artifactory/api/repositories?type=local&packageType=docker`)
 * is synced. Images are pulled the "repository path" way, `host/{repoKey}/{image}:{tag}`, and a
 * HEAD of that manifest gives each tag's digest.
 */
import { TarsierError } from '../../errors.js';
import { OciLister } from './oci.js';
import { RestClient } from './rest-client.js';
import { namespaces, type ListedTag, type ListerRegistry, type RegistryLister } from './types.js';

const MAX_PAGES = 100_000;

function encodePath(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/');
}

export class JfrogLister implements RegistryLister {
  private readonly rest: RestClient;
  private readonly heads: OciLister;
  private readonly pageSize: number;

  constructor(private readonly registry: ListerRegistry, options: { retries?: number; backoffMs?: number; pageSize?: number } = {}) {
    this.rest = new RestClient({ protocol: registry.protocol, addr: registry.addr, username: registry.username, password: registry.password, retries: options.retries, backoffMs: options.backoffMs });
    this.heads = new OciLister(registry, options);
    this.pageSize = options.pageSize ?? 100;
  }

  /** The names of one n/last-paged list; a Link header's next page is followed when given. */
  private async *pagedNames(base: string, field: 'repositories' | 'tags', what: string): AsyncGenerator<string> {
    let path: string | undefined = `${base}?n=${this.pageSize}`;
    const seen = new Set<string>();
    for (let page = 0; path !== undefined && page < MAX_PAGES; page++) {
      if (seen.has(path)) throw new TarsierError('input', `registry ${this.registry.addr}: ${what} paginates in a loop`);
      seen.add(path);
      const res: Awaited<ReturnType<RestClient['getJson']>> = await this.rest.getJson<Record<string, unknown>>(path, what);
      const names = (res.body as Record<string, unknown> | null)?.[field];
      if (names !== null && names !== undefined && !(Array.isArray(names) && names.every((n) => typeof n === 'string'))) {
        throw new TarsierError('input', `registry ${this.registry.addr}: ${what} has no "${field}" list of names`);
      }
      const list = (names as string[] | null | undefined) ?? [];
      yield* list;
      if (list.length === 0) return;
      if (res.next !== undefined) path = res.next;
      else path = list.length < this.pageSize ? undefined : `${base}?n=${this.pageSize}&last=${encodeURIComponent(list[list.length - 1]!)}`;
    }
  }

  private async *repoKeys(): AsyncGenerator<string> {
    const wanted = namespaces(this.registry.namespace);
    if (wanted.length > 0) {
      yield* wanted;
      return;
    }
    const res = await this.rest.getJson<unknown>('/artifactory/api/repositories?type=local&packageType=docker', 'the Artifactory repository list');
    if (!Array.isArray(res.body)) throw new TarsierError('input', `registry ${this.registry.addr}: the Artifactory repository list is not a JSON array`);
    for (const r of res.body as Array<{ key?: unknown }>) if (typeof r.key === 'string' && r.key !== '') yield r.key;
  }

  async *tags(): AsyncGenerator<ListedTag> {
    for await (const key of this.repoKeys()) {
      const api = `/artifactory/api/docker/${encodeURIComponent(key)}/v2`;
      for await (const image of this.pagedNames(`${api}/_catalog`, 'repositories', `the image list of Artifactory repository ${key}`)) {
        try {
          for await (const tag of this.pagedNames(`${api}/${encodePath(image)}/tags/list`, 'tags', `the tags of ${key}/${image}`)) {
            yield { repository: `${key}/${image}`, namespace: key, imageName: image, tag };
          }
        } catch (err) {
          if (err instanceof TarsierError && err.code === 'not_found') continue;
          throw err;
        }
      }
    }
  }

  digestOf(tag: ListedTag): Promise<{ digest: string; size?: number } | undefined> {
    return this.heads.digestOf(tag);
  }

  async close(): Promise<void> {
    await Promise.all([this.rest.close(), this.heads.close()]);
  }
}
