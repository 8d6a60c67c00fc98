/**
 * Demo images are described as Dockerfile-like build steps: each step is one history entry, and
 * the steps that change files also carry a layer. This keeps `history[].created_by` and
 * `rootfs.diff_ids` aligned the way real builders write them (the k-th non-empty history entry is
 * the k-th layer), which build-risk rules and layer attribution rely on.
 */
import { createHash } from 'node:crypto';
import type { ImageSpec, LayerEntrySpec } from '../image/build/image-writer.js';
import type { HistoryEntry, ImageConfig } from '../image/types.js';
import type { StockRootfs } from './rootfs/types.js';

export interface BuildStep {
  /** The history line exactly as the builder records it. */
  createdBy: string;
  created: string;
  /** Files of the layer this step made; absent for metadata-only steps (ENV, EXPOSE, USER, CMD …). */
  layer?: LayerEntrySpec[];
}

export function imageFromSteps(steps: BuildStep[], config: NonNullable<ImageConfig['config']>): ImageSpec {
  const history: HistoryEntry[] = steps.map((s) => ({ created: s.created, created_by: s.createdBy, ...(s.layer ? {} : { empty_layer: true }) }));
  const layers = steps.filter((s) => s.layer).map((s) => ({ entries: s.layer as LayerEntrySpec[], createdBy: s.createdBy }));
  const created = steps[steps.length - 1]?.created ?? '1970-01-01T00:00:00Z';
  return { layers, config: { architecture: 'amd64', os: 'linux', created, config, history } };
}

/** `ADD file:<sha256> in /`, the classic builder's record of a base image's root filesystem. */
export function addRootfsLine(label: string): string {
  return `/bin/sh -c #(nop) ADD file:${createHash('sha256').update(label).digest('hex')} in / `;
}

/** The entries of a stock root filesystem, optionally only those `keep` accepts. */
export function rootfsEntries(rootfs: StockRootfs, keep: (path: string) => boolean = () => true): LayerEntrySpec[] {
  const out: LayerEntrySpec[] = [];
  for (const d of rootfs.dirs) if (keep(d.path)) out.push({ path: d.path, type: 'dir', mode: d.mode, uid: d.uid, gid: d.gid });
  for (const f of rootfs.files) if (keep(f.path)) out.push({ path: f.path, content: f.content, mode: f.mode, uid: f.uid, gid: f.gid });
  for (const s of rootfs.symlinks) if (keep(s.path)) out.push({ path: s.path, type: 'symlink', linkTarget: s.target, mode: 0o777 });
  for (const m of rootfs.markers) if (keep(m.path)) out.push({ path: m.path, content: '', mode: m.mode, uid: m.uid, gid: m.gid });
  return out;
}

/** The stock text of one file of a root filesystem (for steps that edit it, like `useradd` or `sed -i`). */
export function stockText(rootfs: StockRootfs, path: string): string {
  const f = rootfs.files.find((x) => x.path === path);
  if (!f) throw new Error(`demo rootfs has no ${path}`);
  return f.content;
}

/**
 * SSH host keys. The stock trees state the ones a release's openssh-server postinst generates (as
 * content-less markers and placeholder public keys, which is all the baseline checks read); the
 * demo images lay a real generated key pair there instead (secrets.ts), as a built image holds one.
 */
export function isSshHostKeyFile(path: string): boolean {
  return path.startsWith('etc/ssh/ssh_host_');
}

/** Files that openssh-server's package brings: they belong to the layer that installs it, not the base. */
export function isSshServerFile(path: string): boolean {
  return path.startsWith('etc/ssh/') || path === 'etc/pam.d/sshd' || path === 'usr/sbin/sshd' || path.startsWith('usr/lib/openssh/') || path.startsWith('usr/libexec/openssh/') || path === 'run/sshd';
}
