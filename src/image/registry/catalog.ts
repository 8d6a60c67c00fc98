/**
 * Listing what a registry holds: its repositories (`/v2/_catalog`) and a repository's tags
 * (`/v2/<name>/tags/list`), following `Link` pagination to the end. Used to sync a registry.
 */
import { connectRegistry, type RegistryConnectOptions } from './connect.js';

export interface RegistryListOptions extends RegistryConnectOptions {
  /** Names asked for per page (`n=`); the registry may send fewer. Default 100. */
  pageSize?: number;
}

async function withClient<T>(registry: string, options: RegistryListOptions, list: (c: ReturnType<typeof connectRegistry>, pageSize: number | undefined) => Promise<T>): Promise<T> {
  const { pageSize, ...connect } = options;
  const client = connectRegistry(registry, connect);
  try {
    return await list(client, pageSize);
  } finally {
    await client.close();
  }
}

/** Every repository in `registry` (e.g. `127.0.0.1:5000`), in the registry's order. */
export function listRepositories(registry: string, options: RegistryListOptions = {}): Promise<string[]> {
  return withClient(registry, options, (client, pageSize) => client.listRepositories(pageSize === undefined ? {} : { pageSize }));
}

/** Every tag of `repository` in `registry`. */
export function listTags(registry: string, repository: string, options: RegistryListOptions = {}): Promise<string[]> {
  return withClient(registry, options, (client, pageSize) => client.listTags(repository, pageSize === undefined ? {} : { pageSize }));
}
