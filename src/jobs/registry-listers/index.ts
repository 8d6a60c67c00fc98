/** The lister for a registry's type: Harbor and JFrog through their own APIs, everything else as plain OCI. */
import { HarborLister } from './harbor.js';
import { JfrogLister } from './jfrog.js';
import { OciLister } from './oci.js';
import type { ListerRegistry, RegistryLister } from './types.js';

export type { ListedTag, ListerRegistry, RegistryLister } from './types.js';

export interface ListerOptions {
  pageSize?: number;
  retries?: number;
  backoffMs?: number;
}

export function listerFor(registry: ListerRegistry, options: ListerOptions = {}): RegistryLister {
  switch (registry.type) {
    case 'Harbor':
      return new HarborLister(registry, options);
    case 'Jfrog':
      return new JfrogLister(registry, options);
    default:
      return new OciLister(registry, options);
  }
}
