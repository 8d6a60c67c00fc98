// Temporary bridge: re-exported from the registry helper's platform module once it lands.
import { TarsierError } from '../errors.js';
import type { Descriptor } from './types.js';

export interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string;
}

export function selectManifest(manifests: Descriptor[], want: PlatformSpec, where: string): Descriptor {
  const hit = manifests.find(
    (m) => m.platform?.os === want.os && m.platform?.architecture === want.architecture && (want.variant === undefined || m.platform?.variant === want.variant),
  );
  if (!hit) {
    const have = manifests.map((m) => (m.platform ? `${m.platform.os}/${m.platform.architecture}${m.platform.variant ? `/${m.platform.variant}` : ''}` : 'unknown'));
    throw new TarsierError('not_found', `${where}: no image for platform ${want.os}/${want.architecture} (available: ${have.join(', ')})`);
  }
  return hit;
}
