/** Byte counts as people read them, for reports and CLI output. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `512 B`, `1.5 MiB`, `2.0 GiB`; Infinity (an unbounded size) reads `unlimited`. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return 'unlimited';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${UNITS[u]}`;
}
