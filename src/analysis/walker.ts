/**
 * Streams one layer's tar once and hands each entry to the analyzers that want it. Wanted files
 * are read once: stream analyzers get every chunk, file analyzers get one buffer (only when the
 * file fits their cap). Nothing is written to disk, so hostile paths cannot escape anywhere; they
 * are normalised or skipped with a warning so facts never name a path outside the image root.
 */
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { TarsierError } from '../errors.js';
import type { Analyzer, AnalyzerContext, AnalyzerLayerResult, EntryAnalyzer, EntryInfo, Fact, FileAnalyzer, StreamAnalyzer, StreamSink } from './types.js';

export interface WalkLimits {
  /** Maximum tar entries in one layer (a million tiny entries is an attack on time and memory). */
  maxEntries: number;
}

export interface WalkOptions {
  diffId: string;
  where: string;
  limits: WalkLimits;
  onWarning?: (message: string) => void;
  /** Called after each entry, for progress display. */
  onEntry?: (entries: number) => void;
}

/** At most this many async analyses may be outstanding before the walker waits for them. */
const MAX_PENDING = 32;

/** Normalises a tar path to image-root-relative form; null when it points outside the root. */
export function normaliseEntryPath(raw: string): string | null {
  const stripped = raw.replace(/^(\.\/|\/)+/, '');
  if (stripped === '' || stripped === '.') return '';
  const norm = posix.normalize(stripped).replace(/\/+$/, '');
  if (norm === '..' || norm.startsWith('../') || norm.startsWith('/')) return null;
  return norm === '.' ? '' : norm;
}

function entryType(t: tar.Header['type']): EntryInfo['type'] {
  switch (t) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'dir';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    default:
      return 'other';
  }
}

/** A fact about a hardlink's target, restated for the hardlink's own path (packages name their file too). */
function relocate(f: Fact, from: string, to: string): Fact {
  if (f.kind !== 'packages') return { ...f, path: to } as Fact;
  const moved = (p: string) => (p === from || p.startsWith(`${from}!`) || p.startsWith(`${from}/`) ? `${to}${p.slice(from.length)}` : p);
  return { ...f, path: to, packages: f.packages.map((p) => ({ ...p, path: moved(p.path) })) };
}

/** The content stream tar-stream hands us for one entry (a streamx Readable). */
type EntryStream = AsyncIterable<Buffer> & { resume(): unknown };

interface Wanting {
  files: FileAnalyzer[];
  streams: StreamAnalyzer[];
}

export async function walkLayer(layerTar: Readable, analyzers: Analyzer[], opts: WalkOptions): Promise<Record<string, AnalyzerLayerResult>> {
  const facts: Record<string, Fact[]> = {};
  const touched: Record<string, Set<string>> = {};
  for (const a of analyzers) {
    facts[a.name] = [];
    touched[a.name] = new Set();
  }
  const touch = (a: Analyzer, path: string) => {
    if ((a.scope ?? 'overlay') === 'overlay') touched[a.name]?.add(path);
  };
  const warn = (message: string) => opts.onWarning?.(`${opts.where}: ${message}`);
  const ctxFor = (a: Analyzer): AnalyzerContext => ({
    diffId: opts.diffId,
    warn: (message) => {
      (facts[a.name] as Fact[]).push({ kind: 'warning', path: '', message });
      warn(message);
    },
  });
  const contexts = new Map(analyzers.map((a) => [a.name, ctxFor(a)]));
  const fileAnalyzers = analyzers.filter((a): a is FileAnalyzer => a.kind === 'file');
  const streamAnalyzers = analyzers.filter((a): a is StreamAnalyzer => a.kind === 'stream');
  const entryVisitors = analyzers
    .filter((a): a is EntryAnalyzer => a.kind === 'entry')
    .map((a) => ({ a, v: a.start(contexts.get(a.name) as AnalyzerContext) }));
  // Facts per analyzer per path of this layer, so a hardlink to an analysed file gets them too.
  const byPath = new Map<string, Map<string, Fact[]>>();
  const pending = new Set<Promise<void>>();

  const record = (a: Analyzer, path: string, produced: Fact[]) => {
    if (produced.length === 0) return;
    (facts[a.name] as Fact[]).push(...produced);
    let m = byPath.get(a.name);
    if (!m) byPath.set(a.name, (m = new Map()));
    m.set(path, produced);
  };
  const guard = (a: Analyzer, path: string, run: () => Fact[] | Promise<Fact[]>) => {
    const onError = (err: unknown) => {
      if (err instanceof TarsierError && err.code !== 'input') throw err;
      contexts.get(a.name)?.warn(`${a.name} could not read ${path}: ${(err as Error).message}`);
    };
    try {
      const out = run();
      if (out instanceof Promise) {
        const p: Promise<void> = out.then((f) => record(a, path, f), onError).finally(() => pending.delete(p));
        pending.add(p);
      } else record(a, path, out);
    } catch (err) {
      onError(err);
    }
  };

  const extract = tar.extract();
  let entries = 0;
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      // When the layer stream fails mid-entry, tar-stream destroys the entry stream with the same
      // error; it reaches us through `extract`, so this copy must not become an uncaught error.
      stream.on('error', () => undefined);
      void handle(header, stream as unknown as EntryStream).then(() => next(), (err: unknown) => {
        stream.resume();
        reject(err);
        extract.destroy(err as Error);
      });
    });
    extract.on('finish', resolve);
    extract.on('error', (err) => reject(err instanceof TarsierError ? err : new TarsierError('input', `${opts.where}: corrupt tar (${err.message})`)));
    layerTar.on('error', (err) => {
      reject(err);
      extract.destroy(err);
    });
  });

  async function handle(header: tar.Header, stream: EntryStream): Promise<void> {
    entries++;
    if (entries > opts.limits.maxEntries) throw new TarsierError('entries_exceeded', `${opts.where}: more than ${opts.limits.maxEntries} entries in one layer`);
    opts.onEntry?.(entries);
    const path = normaliseEntryPath(header.name);
    if (path === null) {
      warn(`skipped entry with a path outside the image root: ${JSON.stringify(header.name.slice(0, 200))}`);
      stream.resume();
      return;
    }
    const type = entryType(header.type);
    let linkTarget: string | undefined;
    if (type === 'symlink') linkTarget = header.linkname ?? '';
    if (type === 'hardlink') {
      const t = normaliseEntryPath(header.linkname ?? '');
      if (t === null) {
        warn(`skipped hardlink ${path} pointing outside the image root`);
        stream.resume();
        return;
      }
      linkTarget = t;
    }
    const entry: EntryInfo = { path, type, size: header.size ?? 0, mode: header.mode ?? 0, uid: header.uid ?? 0, gid: header.gid ?? 0, linkTarget };
    for (const { v } of entryVisitors) v.visit(entry);

    const isWhiteout = posix.basename(path).startsWith('.wh.');
    if (type === 'hardlink' && !isWhiteout) {
      const linking = [...fileAnalyzers, ...streamAnalyzers].filter((a) => a.wants(entry));
      // The target's analysis may still be running (async analyzers); its facts are needed now.
      if (linking.length > 0 && pending.size > 0) await Promise.all(pending);
      for (const a of linking) {
        touch(a, path);
        const original = byPath.get(a.name)?.get(entry.linkTarget as string);
        if (original) record(a, path, original.map((f) => relocate(f, entry.linkTarget as string, path)));
      }
    }
    if (type !== 'file' || isWhiteout) {
      stream.resume();
      return;
    }
    const wanting: Wanting = { files: fileAnalyzers.filter((a) => a.wants(entry)), streams: streamAnalyzers.filter((a) => a.wants(entry)) };
    if (wanting.files.length === 0 && wanting.streams.length === 0) {
      stream.resume();
      return;
    }
    for (const a of wanting.files) touch(a, path);
    for (const a of wanting.streams) touch(a, path);
    await readWanted(entry, stream, wanting);
    while (pending.size > MAX_PENDING) await Promise.race(pending);
  }

  async function readWanted(entry: EntryInfo, stream: EntryStream, wanting: Wanting): Promise<void> {
    const fits = wanting.files.filter((a) => entry.size <= a.maxBytes);
    for (const a of wanting.files) {
      if (entry.size > a.maxBytes) {
        const ctx = contexts.get(a.name) as AnalyzerContext;
        if (a.oversized) guard(a, entry.path, () => a.oversized?.(entry, ctx) ?? []);
        else ctx.warn(`${entry.path} is ${entry.size} bytes, over ${a.name}'s ${a.maxBytes}-byte cap; not analysed`);
      }
    }
    const sinks: Array<{ a: StreamAnalyzer; sink: StreamSink }> = [];
    for (const a of wanting.streams) {
      try {
        sinks.push({ a, sink: a.open(entry, contexts.get(a.name) as AnalyzerContext) });
      } catch (err) {
        guard(a, entry.path, () => {
          throw err;
        });
      }
    }
    const buffer = fits.length > 0 ? Buffer.allocUnsafe(entry.size) : null;
    let offset = 0;
    for await (const chunk of stream) {
      if (buffer) {
        chunk.copy(buffer, offset);
      }
      offset += chunk.length;
      for (let i = sinks.length - 1; i >= 0; i--) {
        const s = sinks[i] as (typeof sinks)[number];
        try {
          s.sink.write(chunk);
        } catch (err) {
          sinks.splice(i, 1);
          guard(s.a, entry.path, () => {
            throw err;
          });
        }
      }
    }
    if (offset !== entry.size) throw new TarsierError('input', `${opts.where}: truncated tar entry ${entry.path}`);
    for (const s of sinks) guard(s.a, entry.path, () => s.sink.end());
    if (buffer) for (const a of fits) guard(a, entry.path, () => a.analyze(entry, buffer, contexts.get(a.name) as AnalyzerContext));
  }

  layerTar.pipe(extract as unknown as NodeJS.WritableStream);
  await done;
  await Promise.all(pending);
  for (const { a, v } of entryVisitors) (facts[a.name] as Fact[]).push(...v.finish());
  const out: Record<string, AnalyzerLayerResult> = {};
  for (const a of analyzers) out[a.name] = { facts: facts[a.name] as Fact[], touched: [...(touched[a.name] as Set<string>)] };
  return out;
}
