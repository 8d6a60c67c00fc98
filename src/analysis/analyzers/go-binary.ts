/**
 * Go binaries: the modules compiled into an executable, from the build info the Go linker embeds
 * (both the Go ≥ 1.18 inline format and the older pointer format), plus the standard library at
 * the toolchain version. A stream analyzer, so multi-hundred-MiB binaries are never held whole:
 * the sink checks the ELF magic in the first bytes (anything else is dropped at once) and the
 * scanner keeps only the few strings build info can point to.
 */
import { GoBinaryScanner } from '../lang/go/binary-scanner.js';
import { parseModInfo } from '../lang/go/modinfo.js';
import { goPackages } from '../lang/go/packages.js';
import type { EntryInfo, Fact, StreamAnalyzer, StreamSink } from '../types.js';

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
/** The smallest Go programs are over a MiB; this skips scripts and tiny tools cheaply. */
export const MIN_GO_BINARY_BYTES = 64 * 1024;

export const goBinaryAnalyzer: StreamAnalyzer = {
  kind: 'stream',
  name: 'go-binary',
  version: '2',
  wants(entry: EntryInfo): boolean {
    return entry.type === 'file' && (entry.mode & 0o111) !== 0 && entry.size >= MIN_GO_BINARY_BYTES;
  },
  open(entry: EntryInfo): StreamSink {
    return new GoBinarySink(entry.path);
  },
};

class GoBinarySink implements StreamSink {
  private head: Buffer[] = [];
  private headBytes = 0;
  /** null until the first 4 bytes are in. */
  private isElf: boolean | null = null;
  private readonly scanner = new GoBinaryScanner();

  constructor(private readonly path: string) {}

  write(chunk: Buffer): void {
    if (this.isElf === false) return;
    if (this.isElf === true) {
      this.scanner.write(chunk);
      return;
    }
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes < ELF_MAGIC.length) return;
    const first = Buffer.concat(this.head);
    this.head = [];
    this.isElf = first.subarray(0, ELF_MAGIC.length).equals(ELF_MAGIC);
    if (this.isElf) this.scanner.write(first);
  }

  end(): Fact[] {
    if (this.isElf !== true) return [];
    const result = this.scanner.finish();
    const warn = (message: string): Fact => ({ kind: 'warning', path: this.path, message: `${this.path}: ${message}` });
    if (result.kind === 'none') return [];
    if (result.kind === 'unreadable') return [warn(`${result.message}; its modules are not listed`)];
    const { info, problems } = parseModInfo(result.modinfo);
    const facts: Fact[] = [];
    const packages = goPackages(result.goVersion, info, this.path);
    if (packages.length > 0) facts.push({ kind: 'packages', path: this.path, packages });
    if (problems.length > 0) facts.push(warn(`Go module info has ${problems.length} unreadable line(s): ${problems.slice(0, 3).join('; ')}`));
    // A binary whose modules we list but whose toolchain is unknown lacks its stdlib package; say so.
    if (result.goVersion === null && packages.length > 0) facts.push(warn(`Go toolchain version unknown (${result.notes.join('; ')}); the standard library is not listed`));
    return facts;
  }
}
