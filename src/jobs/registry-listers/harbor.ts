/**
 * Harbor through its API v2.0: projects (`/api/v2.0/projects`), their repositories
 * (`/projects/{p}/repositories`, names carry the project prefix) and each repository's artifacts
 * with their tags (`/repositories/{r}/artifacts?with_tag=true`), all paged with page/page_size.
 * Artifacts carry their digest, so no manifest HEAD is needed. The registry's namespace is the
 * Harbor project (a comma list names several); without it every project the account sees is synced.
 */
import { TarsierError } from '../../errors.js';
import { type JsonPage, RestClient } from './rest-client.js';
import { namespaces, type ListedTag, type ListerRegistry, type RegistryLister } from './types.js';

interface HarborProject {
  name?: unknown;
}
interface HarborRepository {
  name?: unknown;
}
interface HarborArtifact {
  digest?: unknown;
  size?: unknown;
  type?: unknown;
  tags?: Array<{ name?: unknown }> | null;
}

const API = '/api/v2.0';
/** Harbor caps page_size at 100. */
const PAGE_SIZE = 100;
/** A bound on pages of one listing, against a server that never says "last page". */
const MAX_PAGES = 100_000;

export class HarborLister implements RegistryLister {
  private readonly rest: RestClient;

  constructor(private readonly registry: ListerRegistry, options: { retries?: number; backoffMs?: number; pageSize?: number } = {}) {
    this.rest = new RestClient({ protocol: registry.protocol, addr: registry.addr, username: registry.username, password: registry.password, retries: options.retries, backoffMs: options.backoffMs });
    this.pageSize = Math.min(PAGE_SIZE, options.pageSize ?? PAGE_SIZE);
  }

  private readonly pageSize: number;

  /** Every item of a paged Harbor list: page 1, 2, … until a short or empty page. */
  private async *paged<T>(path: string, what: string): AsyncGenerator<T> {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const sep = path.includes('?') ? '&' : '?';
      const res: JsonPage<unknown> = await this.rest.getJson(`${path}${sep}page=${page}&page_size=${this.pageSize}`, what);
      if (!Array.isArray(res.body)) throw new TarsierError('input', `registry ${this.registry.addr}: ${what} is not a JSON array`);
      yield* res.body as T[];
      if (res.body.length < this.pageSize) return;
    }
  }

  private async *projects(): AsyncGenerator<string> {
    const wanted = namespaces(this.registry.namespace);
    if (wanted.length > 0) {
      yield* wanted;
      return;
    }
    for await (const p of this.paged<HarborProject>(`${API}/projects`, 'the Harbor project list')) {
      if (typeof p.name === 'string' && p.name !== '') yield p.name;
    }
  }

  async *tags(): AsyncGenerator<ListedTag> {
    for await (const project of this.projects()) {
      const p = encodeURIComponent(project);
      for await (const repo of this.paged<HarborRepository>(`${API}/projects/${p}/repositories`, `the repositories of Harbor project ${project}`)) {
        if (typeof repo.name !== 'string') continue;
        // Repository names come back as `project/name…`; the API wants the rest, encoded twice (a/b → a%252Fb).
        const imageName = repo.name.startsWith(`${project}/`) ? repo.name.slice(project.length + 1) : repo.name;
        const r = encodeURIComponent(encodeURIComponent(imageName));
        const artifacts = `${API}/projects/${p}/repositories/${r}/artifacts?with_tag=true&with_scan_overview=false`;
        for await (const a of this.paged<HarborArtifact>(artifacts, `the artifacts of ${project}/${imageName}`)) {
          if (typeof a.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(a.digest)) continue;
          // Helm charts, CNAB bundles and other OCI artifacts are not container images.
          if (typeof a.type === 'string' && a.type.toUpperCase() !== 'IMAGE') continue;
          for (const t of a.tags ?? []) {
            if (typeof t.name !== 'string' || t.name === '') continue;
            yield {
              repository: `${project}/${imageName}`,
              namespace: project,
              imageName,
              tag: t.name,
              digest: a.digest,
              ...(typeof a.size === 'number' ? { size: a.size } : {}),
            };
          }
        }
      }
    }
  }

  /**
   * A listed tag carries its artifact's digest. Any other (a stored reference a sync checks is
   * still there) is looked up as `/artifacts/{tag}`; undefined when Harbor answers 404.
   */
  async digestOf(tag: ListedTag): Promise<{ digest: string; size?: number } | undefined> {
    if (tag.digest !== undefined) return { digest: tag.digest, ...(tag.size !== undefined ? { size: tag.size } : {}) };
    const p = encodeURIComponent(tag.namespace);
    const r = encodeURIComponent(encodeURIComponent(tag.imageName));
    try {
      const res = await this.rest.getJson<HarborArtifact>(`${API}/projects/${p}/repositories/${r}/artifacts/${encodeURIComponent(tag.tag)}?with_tag=false&with_scan_overview=false`, `artifact ${tag.repository}:${tag.tag}`);
      const a = res.body;
      if (typeof a?.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(a.digest)) throw new TarsierError('input', `registry ${this.registry.addr}: artifact ${tag.repository}:${tag.tag} has no sha256 digest`);
      // A tag that now names a chart or another non-image artifact is no image reference any more.
      if (typeof a.type === 'string' && a.type.toUpperCase() !== 'IMAGE') return undefined;
      return { digest: a.digest, ...(typeof a.size === 'number' ? { size: a.size } : {}) };
    } catch (err) {
      if (err instanceof TarsierError && err.code === 'not_found') return undefined;
      throw err;
    }
  }

  close(): Promise<void> {
    return this.rest.close();
  }
}
