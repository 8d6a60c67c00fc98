/**
 * Any OCI Distribution registry (type Other, SWR): `/v2/_catalog` and `/v2/<name>/tags/list`
 * with `Link` pagination, and a HEAD of each tag's manifest for its digest.
 */
import { TarsierError } from '../../errors.js';
import { RegistryClient } from '../../image/registry/client.js';
import { namespaces, splitRepository, type ListedTag, type ListerRegistry, type RegistryLister } from './types.js';

export class OciLister implements RegistryLister {
  private readonly client: RegistryClient;

  constructor(private readonly registry: ListerRegistry, options: { pageSize?: number; retries?: number; backoffMs?: number } = {}) {
    this.client = new RegistryClient(registry.addr, {
      insecure: registry.protocol === 'http',
      ...(registry.username !== undefined && registry.password !== undefined ? { credentials: { username: registry.username, password: registry.password } } : {}),
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
      ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
    });
    this.pageSize = options.pageSize ?? 100;
  }

  private readonly pageSize: number;

  async *tags(): AsyncGenerator<ListedTag> {
    const wanted = namespaces(this.registry.namespace);
    for await (const repository of this.client.repositories({ pageSize: this.pageSize })) {
      const { namespace, imageName } = splitRepository(repository);
      if (wanted.length > 0 && !wanted.includes(namespace)) continue;
      try {
        for await (const tag of this.client.tags(repository, { pageSize: this.pageSize })) yield { repository, namespace, imageName, tag };
      } catch (err) {
        // Deleted between the catalog and its tag list: nothing to sync there.
        if (err instanceof TarsierError && err.code === 'not_found') continue;
        throw err;
      }
    }
  }

  async digestOf(tag: ListedTag): Promise<{ digest: string; size?: number } | undefined> {
    try {
      const head = await this.client.headManifest(tag.repository, tag.tag);
      if (head.digest) return { digest: head.digest, ...(head.size !== undefined ? { size: head.size } : {}) };
      // Registries may leave Docker-Content-Digest off a HEAD; the manifest's own hash is the digest.
      const manifest = await this.client.getManifest(tag.repository, tag.tag);
      return { digest: manifest.headerDigest ?? manifest.digest, size: manifest.bytes.length };
    } catch (err) {
      if (err instanceof TarsierError && err.code === 'not_found') return undefined;
      throw err;
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
