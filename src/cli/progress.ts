/**
 * One-line progress on stderr for interactive terminals: which layer, how many bytes, how fast.
 * Redrawn at most 10 times a second; erased when done so it never mixes with the report.
 */
import type { ScanProgress } from '../analysis/analyze-image.js';

const FRAME_MS = 100;

function mib(n: number): string {
  return `${(n / 2 ** 20).toFixed(1)} MiB`;
}

export class TtyProgress implements ScanProgress {
  private last = 0;
  private readonly started = Date.now();
  private total = 0;
  /** Layers in flight: index → stored size and bytes so far. */
  private readonly active = new Map<number, { size: number; stored: number; unpacked: number }>();
  private done = 0;
  private unpackedBefore = 0;

  constructor(private readonly out: NodeJS.WriteStream, private readonly ref: string) {}

  private draw(text: string, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < FRAME_MS) return;
    this.last = now;
    const width = Math.max(20, (this.out.columns ?? 80) - 1);
    const line = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    this.out.write(`\r\x1b[2K${line}`);
  }

  layerStart(index: number, total: number, desc: { digest: string; size: number }, cached: boolean): void {
    this.total = total;
    if (!cached) this.active.set(index, { size: desc.size, stored: 0, unpacked: 0 });
    this.render(true);
  }

  layerBytes(stored: number, uncompressed: number, index: number): void {
    const layer = this.active.get(index);
    if (!layer) return;
    layer.stored = stored;
    layer.unpacked = uncompressed;
    this.render(false);
  }

  layerDone(index: number): void {
    const layer = this.active.get(index);
    if (layer) this.unpackedBefore += layer.unpacked;
    this.active.delete(index);
    this.done++;
    if (this.done === this.total) this.clear();
    else this.render(true);
  }

  private render(force: boolean): void {
    const parts = [...this.active.entries()].map(([i, l]) => `#${i + 1}${l.size > 0 ? ` ${Math.min(100, Math.floor((l.stored / l.size) * 100))}%` : ''}`);
    const unpacked = this.unpackedBefore + [...this.active.values()].reduce((s, l) => s + l.unpacked, 0);
    const secs = Math.max(0.001, (Date.now() - this.started) / 1000);
    this.draw(`${this.ref} layers ${this.done}/${this.total} done ${parts.join(' ')} · ${mib(unpacked)} unpacked, ${mib(unpacked / secs)}/s`, force);
  }

  clear(): void {
    this.out.write('\r\x1b[2K');
  }
}
