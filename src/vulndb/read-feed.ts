/**
 * Reading advisory feeds from disk: a single file of any supported format, an OSV zip as
 * published per ecosystem (`<Ecosystem>/all.zip`), or a folder holding any mix of them, each file
 * recognised by its content. Everything streams: records are yielded one at a time, files are read
 * with size caps, and the Debian tracker JSON is never held whole.
 *
 * A file that cannot be read as the format it claims to be fails the whole read (TarsierError);
 * a malformed record inside a good file is skipped and reported through `warn`.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import jsyaml from 'js-yaml';
import yauzl from 'yauzl';
import YAML from 'yaml';
import { TarsierError } from '../errors.js';
import { parseAlpineSecdb } from './alpine-secdb.js';
import { parseDebianList } from './debian-list.js';
import { parseDebianTrackerJson } from './debian-tracker-json.js';
import { JsonStreamError } from './json-object-stream.js';
import { isNonSecurityOsvId, osvToAdvisory } from './osv.js';
import type { Advisory, FeedFormat, ReadOptions } from './types.js';

/** One OSV record file; real ones are a few KB, the largest known a few MB. */
const MAX_RECORD_BYTES = 32 * 1024 * 1024;
/** One secdb file (a branch's repository); real ones are under 2 MB. */
const MAX_SECDB_BYTES = 64 * 1024 * 1024;
/** DSA/DLA list lines are short; a longer one means this is not such a list. */
const MAX_LINE_CHARS = 64 * 1024;
const MAX_DEPTH = 16;
const SNIFF_BYTES = 64 * 1024;
/** Files of a folder sniffed ahead of the parser (≤ 1 MiB in flight): their reads overlap parsing. */
const SNIFF_AHEAD = 16;

const DEBIAN_LIST_HEAD = /^\[\d{1,2} [A-Z][a-z]{2} \d{4}\] (?:DSA|DLA|DTSA)-\d/;

/** Recognises a file's feed format from its name and first bytes; null if it is none of them. */
export async function detectFeedFormat(file: string): Promise<FeedFormat | null> {
  return (await sniff(file)).format;
}

interface Sniffed {
  format: FeedFormat | null;
  /** The whole file when it fits in the sniffed head (most OSV records): no second read. */
  whole?: Buffer;
}

async function sniff(file: string): Promise<Sniffed> {
  const lower = file.toLowerCase();
  if (lower.endsWith('.zip')) return { format: 'osv-zip' };
  const { bytes, complete } = await readHead(file, SNIFF_BYTES);
  const whole = complete ? bytes : undefined;
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return { format: 'osv', whole };
  return { format: formatOfHead(bytes), whole };
}

function formatOfHead(bytes: Buffer): FeedFormat | null {
  // a multi-byte character cut at the end becomes U+FFFD, which no sniffing pattern looks at
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes).replace(/^\uFEFF/, '').trimStart();
  if (DEBIAN_LIST_HEAD.test(head)) return 'debian-list';
  if (head.startsWith('[') && /^\[\s*\{\s*"/.test(head)) return 'osv';
  if (!head.startsWith('{')) return null;
  if (/"distroversion"\s*:/.test(head) && /"packages"\s*:/.test(head)) return 'alpine-secdb';
  if (/^\{\s*"(?:id|schema_version)"\s*:/.test(head) || /"affected"\s*:\s*\[/.test(head)) return 'osv';
  if (/^\{\s*"[^"\\]{1,200}"\s*:\s*\{\s*"(?:CVE|TEMP)-[^"]*"\s*:\s*\{/.test(head) || /"releases"\s*:\s*\{/.test(head)) return 'debian-tracker-json';
  return null;
}

/** Reads every advisory under `target` (a feed file or a folder of them). */
export async function* readFeed(target: string, opts: ReadOptions = {}): AsyncGenerator<Advisory> {
  const info = await statOrThrow(target);
  if (info.isDirectory()) {
    for await (const [file, { format, whole }] of ahead(walk(target, 0), SNIFF_AHEAD, sniff)) {
      if (!format) {
        if (/\.(?:json|ya?ml|zip)$/i.test(file)) opts.warn?.(`${file}: not a recognised advisory feed; skipped`);
        continue;
      }
      // A folder of OSV records is thousands of small files: parse the sniffed bytes, not a re-read.
      if (format === 'osv' && whole) yield* osvFromText(whole.toString('utf8'), file, isYamlName(file), opts);
      else yield* readFeedFile(file, format, opts);
    }
    return;
  }
  const format = await detectFeedFormat(target);
  if (!format) {
    throw new TarsierError('input', `${target}: not a recognised advisory feed (OSV JSON/YAML or zip, Alpine secdb JSON, Debian DSA/DLA list or tracker JSON)`);
  }
  if (format === 'osv') {
    // One OSV file given on its own is the whole feed: unparseable, it fails (in a folder or zip
    // it is one bad record among many and is skipped) — an import must not replace a source's
    // data with nothing because its file was cut off.
    const text = (await readCapped(target, MAX_RECORD_BYTES)).toString('utf8');
    yield* osvFromText(text, target, isYamlName(target), opts, true);
    return;
  }
  yield* readFeedFile(target, format, opts);
}

export async function* readFeedFile(file: string, format: FeedFormat, opts: ReadOptions = {}): AsyncGenerator<Advisory> {
  switch (format) {
    case 'osv':
      yield* readOsvFile(file, opts);
      return;
    case 'osv-zip':
      yield* readOsvZip(file, opts);
      return;
    case 'alpine-secdb':
      yield* readAlpineSecdbFile(file, opts);
      return;
    case 'debian-list':
      yield* parseDebianList(lines(createReadStream(file), file), file, opts);
      return;
    case 'debian-tracker-json':
      yield* readDebianTrackerJsonFile(file, opts);
      return;
  }
}

/** One OSV file: a record or an array of records, JSON or YAML. */
export async function* readOsvFile(file: string, opts: ReadOptions = {}): AsyncGenerator<Advisory> {
  const text = (await readCapped(file, MAX_RECORD_BYTES)).toString('utf8');
  yield* osvFromText(text, file, isYamlName(file), opts);
}

function isYamlName(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}

/**
 * An OSV YAML document. js-yaml (core schema, as YAML 1.2 resolves scalars) is an order faster than
 * the \`yaml\` package on the PyPA advisory database and gives the same values for every record of
 * it; but it shares aliased nodes instead of copying them, so a document using anchors is parsed
 * again by \`yaml\` with its alias cap: a small document must not expand into a huge one.
 */
function parseOsvYaml(text: string): unknown {
  const doc = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
  return hasSharedNodes(doc) ? YAML.parse(text, { maxAliasCount: 100 }) : doc;
}

/** True when some object or array is reachable twice (a YAML alias); visits each node once. */
function hasSharedNodes(root: unknown): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (seen.has(node)) return true;
    seen.add(node);
    for (const child of Array.isArray(node) ? node : Object.values(node)) if (typeof child === 'object' && child !== null) stack.push(child);
  }
  return false;
}

function* osvFromText(text: string, where: string, yaml: boolean, opts: ReadOptions, wholeFeed = false): Generator<Advisory> {
  let doc: unknown;
  try {
    doc = yaml ? parseOsvYaml(text) : JSON.parse(text);
  } catch (err) {
    const problem = `${where}: not valid ${yaml ? 'YAML' : 'JSON'} (${firstLine(err)})`;
    if (wholeFeed) throw new TarsierError('input', problem);
    opts.warn?.(`${problem}; skipped`);
    return;
  }
  for (const record of Array.isArray(doc) ? doc : [doc]) {
    const id = isObject(record) && typeof record.id === 'string' ? record.id : '';
    if (id && isNonSecurityOsvId(id)) continue;
    try {
      yield osvToAdvisory(record, (m) => opts.warn?.(`${where}: ${m}`));
    } catch (err) {
      opts.warn?.(`${where}: ${firstLine(err)}; skipped`);
    }
  }
}

/** An OSV per-ecosystem archive (`all.zip`): every `.json` member is one record. */
export async function* readOsvZip(file: string, opts: ReadOptions = {}): AsyncGenerator<Advisory> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: true, strictFileNames: false, validateEntrySizes: true }, (err, z) =>
      err || !z ? reject(new TarsierError('input', `${file}: not a readable zip archive (${firstLine(err)})`)) : resolve(z),
    ),
  );
  try {
    for (;;) {
      const entry = await nextEntry(zip, file);
      if (!entry) return;
      if (entry.fileName.endsWith('/') || !/\.json$/i.test(entry.fileName)) continue;
      const where = `${file}!${entry.fileName}`;
      if (entry.uncompressedSize > MAX_RECORD_BYTES) {
        opts.warn?.(`${where}: ${entry.uncompressedSize} bytes is over the ${MAX_RECORD_BYTES}-byte cap for one record; skipped`);
        continue;
      }
      const stream = await new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (err, s) => (err || !s ? reject(err) : resolve(s))));
      let body: Buffer;
      try {
        body = await collect(stream, MAX_RECORD_BYTES, where);
      } catch (err) {
        opts.warn?.(`${where}: ${firstLine(err)}; skipped`);
        continue;
      }
      yield* osvFromText(body.toString('utf8'), where, false, opts);
    }
  } finally {
    zip.close();
  }
}

function nextEntry(zip: yauzl.ZipFile, file: string): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const onEntry = (entry: yauzl.Entry): void => {
      cleanup();
      resolve(entry);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(null);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new TarsierError('input', `${file}: broken zip archive: ${firstLine(err)}`));
    };
    const cleanup = (): void => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

export async function* readAlpineSecdbFile(file: string, opts: ReadOptions = {}): AsyncGenerator<Advisory> {
  const text = (await readCapped(file, MAX_SECDB_BYTES)).toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new TarsierError('input', `${file}: not valid JSON (${firstLine(err)})`);
  }
  try {
    yield* parseAlpineSecdb(doc, file, opts);
  } catch (err) {
    throw new TarsierError('input', firstLine(err));
  }
}

export async function* readDebianTrackerJsonFile(file: string, opts: ReadOptions = {}): AsyncGenerator<Advisory> {
  try {
    yield* parseDebianTrackerJson(createReadStream(file), file, opts);
  } catch (err) {
    if (err instanceof JsonStreamError) throw new TarsierError('input', `${file}: malformed tracker JSON: ${err.message}`);
    throw err;
  }
}

/** Splits a byte stream into lines, refusing absurdly long ones. */
export async function* lines(chunks: AsyncIterable<Buffer | string>, where: string): AsyncGenerator<string> {
  let rest = '';
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    const parts = (rest + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))).split('\n');
    rest = parts.pop() ?? '';
    yield* parts;
    if (rest.length > MAX_LINE_CHARS) throw new TarsierError('input', `${where}: a line is longer than ${MAX_LINE_CHARS} characters; not an advisory list`);
  }
  rest += decoder.decode();
  if (rest !== '') yield rest;
}

/** `fn` of each item, started up to `n` items ahead of the consumer, yielded in order. */
async function* ahead<T, R>(items: AsyncIterable<T>, n: number, fn: (item: T) => Promise<R>): AsyncGenerator<[T, R]> {
  const queue: Array<[T, Promise<R>]> = [];
  try {
    for await (const item of items) {
      const pending = fn(item);
      // Awaited below in order; this only keeps a failure from counting as unhandled meanwhile.
      pending.catch(() => undefined);
      queue.push([item, pending]);
      if (queue.length >= n) {
        const [first, result] = queue.shift()!;
        yield [first, await result];
      }
    }
    while (queue.length > 0) {
      const [first, result] = queue.shift()!;
      yield [first, await result];
    }
  } finally {
    // Early exit (an error downstream): let started reads settle so no file handle is left open.
    await Promise.allSettled(queue.map(([, p]) => p));
  }
}

/** Regular files under `dir`, sorted, skipping hidden entries and symlinks (no loops, no escapes). */
async function* walk(dir: string, depth: number): AsyncGenerator<string> {
  if (depth > MAX_DEPTH) return;
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full, depth + 1);
    else if (entry.isFile()) yield full;
  }
}

async function statOrThrow(target: string): Promise<Awaited<ReturnType<typeof stat>>> {
  try {
    return await stat(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TarsierError(code === 'ENOENT' ? 'not_found' : 'input', `${target}: ${code === 'ENOENT' ? 'no such file or folder' : firstLine(err)}`);
  }
}

/** Up to `bytes` bytes of the file; `complete` when that is all of it. */
async function readHead(file: string, bytes: number): Promise<{ bytes: Buffer; complete: boolean }> {
  const handle = await open(file, 'r');
  try {
    // One byte more than asked tells a file of exactly `bytes` bytes from a longer one. Sized by
    // the file (most feed files are a few KiB): a zeroed 64 KiB buffer per file was GC churn.
    const want = Math.min((await handle.stat()).size, bytes) + 1;
    const buf = Buffer.allocUnsafe(want);
    const { bytesRead } = await handle.read(buf, 0, want, 0);
    // complete only when the read stopped short of `want`: at the end of the file
    return { bytes: buf.subarray(0, Math.min(bytesRead, bytes)), complete: bytesRead < want };
  } finally {
    await handle.close();
  }
}

async function readCapped(file: string, cap: number): Promise<Buffer> {
  const info = await statOrThrow(file);
  if (info.size > cap) throw new TarsierError('input', `${file}: ${info.size} bytes is over the ${cap}-byte cap for this feed file`);
  return collect(createReadStream(file), cap, file);
}

async function collect(stream: AsyncIterable<Buffer>, cap: number, where: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > cap) throw new TarsierError('input', `${where}: over the ${cap}-byte cap`);
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0] ?? message;
}
