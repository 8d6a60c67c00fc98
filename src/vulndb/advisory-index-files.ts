/**
 * The on-disk layout of the derived advisory index of an embedded store: what a CLI scan reads
 * instead of starting PGlite (seconds of WebAssembly compile and data-dir load).
 *
 *   <dataDir>/advisory-index/manifest.json          which generation is current, one entry per namespace
 *   <dataDir>/advisory-index/previous.json          the last manifest, moved aside while an import runs
 *   <dataDir>/advisory-index/<generation dir>/*.gz  one gzip'd file per namespace, one advisory a line
 *
 * A line is `pk TAB ["name",…] TAB record-json`: JSON text never holds a raw tab or newline, so the
 * split is exact, and the reader parses only the records naming a package it looks for.
 *
 * Currency: every change of the advisory tables goes through importSource, which moves the
 * manifest aside (to previous.json, which no scan reads) before its transaction starts; a writer
 * rebuilds it after the commit. So a manifest that exists describes the committed data.
 *
 * Rebuilds are incremental: the manifest records, per source, a fingerprint of its rows and the
 * namespaces it contributes. Only namespaces a changed source contributed before or contributes now
 * are rewritten; every other file is hard-linked from the previous generation (files are never
 * written in place, so a link shares bytes that no longer change), its checksum carried over. It also names the database cluster it was built from
 * (PostgreSQL's system identifier in global/pg_control), so a data directory whose database was
 * deleted or replaced by a new one never serves an old index.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';

export const INDEX_FORMAT = 1;

export interface NamespaceEntry {
  /** File name inside the generation directory. */
  file: string;
  /** sha256 (hex) of the file's bytes, checked before use: a truncated or damaged file is never read. */
  sha256: string;
  bytes: number;
  advisories: number;
}

export interface IndexManifest {
  format: typeof INDEX_FORMAT;
  /** The advisory generation (advisory-generation.ts) the index was built from. */
  generation: string;
  /** PostgreSQL system identifier of the embedded cluster the index was built from. */
  cluster: string;
  /** Directory (under advisory-index/) holding this generation's files. */
  dir: string;
  /** Number of advisory sources in the store: 0 makes the scan say the database is empty. */
  sources: number;
  builtAt: number;
  namespaces: Record<string, NamespaceEntry>;
  /** Per source id: what the next rebuild compares to find the namespaces it must rewrite. */
  bySource?: Record<string, SourceEntry>;
}

export interface SourceEntry {
  /** Changes with every import of the source (time, count, keys taken from the sequence). */
  fingerprint: string;
  namespaces: string[];
}

export const indexRoot = (dataDir: string): string => join(dataDir, 'advisory-index');
export const manifestPath = (dataDir: string): string => join(indexRoot(dataDir), 'manifest.json');
/** Where an import moves the manifest: the base of the next rebuild, never read by a scan. */
export const previousManifestPath = (dataDir: string): string => join(indexRoot(dataDir), 'previous.json');

/** A namespace's file name: stable across generations, so a reused file keeps its name. */
export const namespaceFile = (namespace: string): string => `${sha256(Buffer.from(namespace)).slice(0, 24)}.ndjson.gz`;

export const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/**
 * The embedded cluster's system identifier (first 8 bytes of global/pg_control), read without
 * starting PostgreSQL; undefined when there is no cluster. initdb picks a new one each time.
 */
export function clusterIdentifier(dataDir: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(join(dataDir, 'pgdata', 'global', 'pg_control'), 'r');
    const head = Buffer.alloc(8);
    if (readSync(fd, head, 0, 8, 0) !== 8) return undefined;
    return head.readBigUInt64LE(0).toString();
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function encodeLine(pk: number, names: readonly string[], record: string): string {
  return `${pk}\t${JSON.stringify(names)}\t${record}\n`;
}
