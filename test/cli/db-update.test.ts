/**
 * `tarsier db update` against a local HTTP server that behaves like a feed host: ETag and
 * Last-Modified on the first fetch, 304 on a matching conditional GET, a new body and ETag when the
 * feed changes. And failures: a 500, a body cut off mid-download and a corrupt local file each fail
 * only their own source — the database keeps their previous data, the other sources are imported,
 * and the command exits 1.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataDir, SHARED_VULNDB, tarsier, type ImportJson, type StatusJson } from './db-cli.js';

function jsonError(text: string): string {
  try {
    JSON.parse(text);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}

interface FeedState {
  body: Buffer;
  etag: string;
  lastModified: string;
  /** `ok`, `error` (500), or `truncate` (promise the whole length, send half, drop the connection). */
  mode: 'ok' | 'error' | 'truncate';
}

// Each test starts up to five CLI processes (each opens the embedded database): minutes on a loaded CI machine.
describe('tarsier db update', { timeout: 180_000 }, () => {
  let db: Awaited<ReturnType<typeof dataDir>>;
  let work: string;
  let server: Server;
  let feedUrl: string;
  const requests: IncomingHttpHeaders[] = [];
  let v1: Buffer;
  let v2: Buffer;
  let v2Count: number;
  const state: FeedState = { body: Buffer.alloc(0), etag: '"v1"', lastModified: 'Tue, 01 Oct 2024 10:00:00 GMT', mode: 'ok' };

  beforeAll(async () => {
    db = await dataDir();
    work = await mkdtemp(join(tmpdir(), 'tarsier-db-update-'));
    v1 = await readFile(join(SHARED_VULNDB, 'alpine-secdb/v3.18/main.json'));
    // v2: the same branch with its first 20 packages gone (Alpine dropped them from the repository).
    const doc = JSON.parse(v1.toString('utf8')) as { packages: Array<{ pkg: { secfixes?: Record<string, string[]> } }> };
    doc.packages = doc.packages.slice(20);
    v2 = Buffer.from(JSON.stringify(doc));
    v2Count = new Set(doc.packages.flatMap((p) => Object.values(p.pkg.secfixes ?? {}).flat().map((id) => id.split(/\s+/)[0]))).size;
    state.body = v1;
    server = createServer((req, res) => {
      requests.push(req.headers);
      if (state.mode === 'error') {
        res.writeHead(500).end('internal error');
        return;
      }
      const fresh = req.headers['if-none-match'] === state.etag;
      if (fresh) {
        res.writeHead(304, { etag: state.etag, 'last-modified': state.lastModified }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': state.body.length, etag: state.etag, 'last-modified': state.lastModified });
      if (state.mode === 'truncate') {
        res.write(state.body.subarray(0, state.body.length >> 1), () => res.destroy());
        return;
      }
      res.end(state.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3.18/main.json`;
  }, 60_000);

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await db?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const status = async (): Promise<StatusJson['sources']> => {
    const run = await tarsier(['db', 'status', '--json', '--data-dir', db.dir]);
    expect(run.code, run.stderr).toBe(0);
    return (JSON.parse(run.stdout) as StatusJson).sources;
  };

  let firstCount = 0;

  it('imports a URL feed, keeping its ETag and Last-Modified', async () => {
    const usn = join(work, 'USN-4667-1.json');
    await copyFile(join(SHARED_VULNDB, 'ubuntu-osv/osv/usn/USN-4667-1.json'), usn);
    const run = await tarsier(['db', 'import', '--json', '--data-dir', db.dir, feedUrl, usn]);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as ImportJson;
    firstCount = out.sources[0]!.records!;
    expect(out.sources).toEqual([
      { source: `url:${feedUrl}`, records: firstCount, warnings: 0 },
      { source: `path:${usn}`, records: 1, warnings: 0 },
    ]);
    expect(firstCount).toBeGreaterThan(v2Count);
    expect(requests).toHaveLength(1);
    expect(requests[0]!['if-none-match']).toBeUndefined();
    const url = (await status()).find((s) => s.id === `url:${feedUrl}`);
    expect(url).toMatchObject({ format: 'alpine-secdb', location: feedUrl, records: firstCount, etag: '"v1"', lastModified: 'Tue, 01 Oct 2024 10:00:00 GMT' });
  });

  it('a second update sends If-None-Match / If-Modified-Since and reports "not modified" on 304', async () => {
    const before = (await status()).find((s) => s.id === `url:${feedUrl}`)!;
    const run = await tarsier(['db', 'update', '--data-dir', db.dir]);
    expect(run.code, run.stderr).toBe(0);
    expect(requests).toHaveLength(2);
    expect(requests[1]).toMatchObject({ 'if-none-match': '"v1"', 'if-modified-since': 'Tue, 01 Oct 2024 10:00:00 GMT' });
    // only URL sources are re-fetched; the local file is not a feed host
    expect(run.stdout).toBe(`url:${feedUrl}: not modified\n`);
    expect((await status()).find((s) => s.id === `url:${feedUrl}`)).toEqual(before);
  });

  it('a changed feed (new ETag) is downloaded and re-imported whole', async () => {
    state.body = v2;
    state.etag = '"v2"';
    state.lastModified = 'Wed, 02 Oct 2024 10:00:00 GMT';
    const run = await tarsier(['db', 'update', '--data-dir', db.dir]);
    expect(run.code, run.stderr).toBe(0);
    expect(requests.at(-1)).toMatchObject({ 'if-none-match': '"v1"' });
    expect(run.stdout).toBe(`url:${feedUrl}: ${v2Count} advisories\nre-matched 0 stored image(s): 0 vulnerability finding(s)\n`);
    expect((await status()).find((s) => s.id === `url:${feedUrl}`)).toMatchObject({ records: v2Count, etag: '"v2"', lastModified: 'Wed, 02 Oct 2024 10:00:00 GMT' });
  });

  it('a 500, a cut-off download and a corrupt file fail alone: old data stays, the rest is imported, exit 1', async () => {
    const before = await status();
    const usn = before.find((s) => s.id.startsWith('path:'))!;
    // the local feed file is now cut off mid-record
    await writeFile(usn.location, (await readFile(usn.location, 'utf8')).slice(0, 500));
    const other = join(work, 'USN-5380-1.json');
    await copyFile(join(SHARED_VULNDB, 'ubuntu-osv/osv/usn/USN-5380-1.json'), other);
    state.mode = 'error';
    state.body = v1;
    state.etag = '"v3"';
    const failed = await tarsier(['db', 'import', '--data-dir', db.dir, feedUrl, usn.location, other]);
    expect(failed.code, failed.stderr).toBe(1);
    const lines = failed.stdout.trim().split('\n');
    expect(lines[0]).toBe(`url:${feedUrl}: FAILED: ${feedUrl}: the server answered 500`);
    expect(lines[1]).toBe(`${usn.id}: FAILED: ${usn.location}: not valid JSON (${jsonError(await readFile(usn.location, 'utf8'))})`);
    expect(lines[2]).toBe(`path:${other}: 1 advisories`);

    state.mode = 'truncate';
    const cut = await tarsier(['db', 'update', '--data-dir', db.dir]);
    expect(cut.code, cut.stderr).toBe(1);
    expect(cut.stdout, cut.stderr).toMatch(new RegExp(`^url:${feedUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: FAILED: .*(download failed|terminated|closed|aborted|socket)`, 'i'));

    const after = await status();
    // the URL source is exactly as the last good update left it
    expect(after.find((s) => s.id === `url:${feedUrl}`)).toEqual(before.find((s) => s.id === `url:${feedUrl}`));
    expect(after.find((s) => s.id === `path:${other}`)?.records).toBe(1);
    // the corrupt file's source still holds its one record from before
    expect(after.find((s) => s.id === usn.id)).toEqual(usn);
  });
});
