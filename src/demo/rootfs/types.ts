/** A path whose mode and owner the tree states. */
export interface OwnedPath {
  path: string;
  mode: number;
  uid: number;
  gid: number;
}

/** One of a distribution's files with its contents. */
export interface StockFile extends OwnedPath {
  content: string;
}

/** A distribution's out-of-the-box files, as the demo images lay them into their base layer. */
export interface StockRootfs {
  files: StockFile[];
  dirs: OwnedPath[];
  symlinks: Array<{ path: string; target: string }>;
  /** Binaries and markers whose mode and owner matter, not their bytes (setuid tools, sshd, host keys). */
  markers: OwnedPath[];
}
