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

const DEBIAN_LIST_HEAD = /^\[\d{1,2} [A-Z][a-z]{2} \d{4}\] (?:DSA|DLA|DTSA)-\d/;

/** Recognises a file's feed format from its name and first bytes; null if it is none of them. */
export async function detectFeedFormat(file: string): Promise<FeedFormat | null> {
  const lower = file.toLowerCase();
  if (lower.endsWith('.zip')) return 'osv-zip';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'osv';
  const head = (await readHead(file, SNIFF_BYTES)).replace(/^\uFEFF/, '').trimStart();
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
    for await (const file of walk(target, 0)) {
      const format = await detectFeedFormat(file);
      if (!format) {
        if (/\.(?:json|ya?ml|zip)$/i.test(file)) opts.warn?.(`${file}: not a recognised advisory feed; skipped`);
        continue;
      }
      yield* readFeedFile(file, format, opts);
    }
    return;
  }
  const format = await detectFeedFormat(target);
  if (!format) {
    throw new TarsierError('input', `${target}: not a recognised advisory feed (OSV JSON/YAML or zip, Alpine secdb JSON, Debian DSA/DLA list or tracker JSON)`);
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
  yield* osvFromText(text, file, /\.ya?ml$/i.test(file), opts);
}

function* osvFromText(text: string, where: string, yaml: boolean, opts: ReadOptions): Generator<Advisory> {
  let doc: unknown;
  try {
    // aliases capped: a small YAML document must not expand into a huge one
    doc = yaml ? YAML.parse(text, { maxAliasCount: 100 }) : JSON.parse(text);
  } catch (err) {
    opts.warn?.(`${where}: not valid ${yaml ? 'YAML' : 'JSON'} (${firstLine(err)}); skipped`);
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

async function readHead(file: string, bytes: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    // a multi-byte character cut at the end becomes U+FFFD, which no sniffing pattern looks at
    return new TextDecoder('utf-8', { fatal: false }).decode(buf.subarray(0, bytesRead));
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
