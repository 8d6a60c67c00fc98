/** A distribution's out-of-the-box files, as the demo images lay them into their base layer. */
export interface StockFile {
  path: string;
  content: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

export interface StockRootfs {
  files: StockFile[];
  dirs: Array<{ path: string; mode: number; uid: number; gid: number }>;
  symlinks: Array<{ path: string; target: string }>;
  /** Binaries and markers whose mode and owner matter, not their bytes (setuid tools, sshd). */
  markers: Array<{ path: string; mode: number; uid: number; gid: number }>;
}
