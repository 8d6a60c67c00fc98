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
  private label = '';
  private started = Date.now();
  private total = 0;
  private layerSize = 0;

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
    this.layerSize = desc.size;
    this.started = Date.now();
    this.label = `${this.ref} layer ${index + 1}/${total} ${desc.digest.slice(7, 19)}`;
    this.draw(`${this.label} ${cached ? '(cached)' : 'reading…'}`, true);
  }

  layerBytes(stored: number, uncompressed: number): void {
    const secs = Math.max(0.001, (Date.now() - this.started) / 1000);
    const pct = this.layerSize > 0 ? ` ${Math.min(100, Math.floor((stored / this.layerSize) * 100))}%` : '';
    this.draw(`${this.label}${pct} ${mib(stored)} read, ${mib(uncompressed)} unpacked, ${mib(uncompressed / secs)}/s`);
  }

  layerDone(index: number): void {
    if (index + 1 === this.total) this.clear();
  }

  clear(): void {
    this.out.write('\r\x1b[2K');
  }
}
