/** A RegistryClient for one registry, with credentials found the usual way. */
import { RegistryClient, type RegistryClientOptions } from './client.js';
import { resolveCredentials } from './credentials.js';

export interface RegistryConnectOptions extends Omit<RegistryClientOptions, 'credentials'> {
  username?: string;
  password?: string;
  /** A Docker config file, or a directory holding `config.json`; default `$DOCKER_CONFIG` or `~/.docker`. */
  dockerConfig?: string;
  /** Where `TARSIER_USERNAME`, `TARSIER_PASSWORD` and `DOCKER_CONFIG` are read; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

export function connectRegistry(registry: string, options: RegistryConnectOptions = {}): RegistryClient {
  const { username, password, dockerConfig, env, ...clientOptions } = options;
  const credentials = resolveCredentials(registry, {
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(dockerConfig !== undefined ? { dockerConfigPath: dockerConfig } : {}),
    ...(env !== undefined ? { env } : {}),
  });
  return new RegistryClient(registry, credentials === undefined ? clientOptions : { ...clientOptions, credentials });
}
