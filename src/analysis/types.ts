/**
 * The analyzer contract. An analyzer is one file under `analyzers/` that says which tar entries it
 * wants and turns them into facts. The walker streams each layer once and offers every entry to
 * every analyzer; only wanted files are read, and only up to the analyzer's byte cap.
 */

/** A tar entry as the walker sees it. Paths are normalised: no leading `/` or `./`, no `..`. */
export interface EntryInfo {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** Symlink target as written in the archive; hardlink target as a normalised path. */
  linkTarget?: string;
}

export interface AnalyzerContext {
  /** Diff ID of the layer being walked (`sha256:…` of the uncompressed tar). */
  diffId: string;
  /** Report a problem with one file that does not stop the scan (e.g. a corrupt package db). */
  warn(message: string): void;
}

interface AnalyzerBase {
  /** Unique, stable, used in cache keys and facts. */
  readonly name: string;
  /**
   * Bump whenever output for the same input may change. Include a hash of any rule set the
   * analyzer uses, so that editing a rule re-analyses the layers it affects (and only those facts).
   */
  readonly version: string;
  /** Cheap predicate called for every regular file (and hardlink) in every layer. */
  wants(entry: EntryInfo): boolean;
  /**
   * How layer merge treats this analyzer's facts. `overlay` (default): a later layer's copy of a
   * path, a whiteout or an opaque dir hides earlier facts of that path (package dbs, configs).
   * `every-layer`: facts of all layers are kept (secrets in a deleted file are still in the image).
   */
  readonly scope?: 'overlay' | 'every-layer';
}

/**
 * Gets the whole file in one buffer, up to `maxBytes`. Files larger than that are not read by this
 * analyzer; `oversized` (if present) is told so it can still emit a fact (e.g. a warning).
 */
export interface FileAnalyzer<F extends Fact = Fact> extends AnalyzerBase {
  readonly kind: 'file';
  readonly maxBytes: number;
  analyze(entry: EntryInfo, content: Buffer, ctx: AnalyzerContext): F[] | Promise<F[]>;
  oversized?(entry: EntryInfo, ctx: AnalyzerContext): F[];
}

/** Gets the file as a stream of chunks, of any size, in order; never holds it whole. */
export interface StreamAnalyzer<F extends Fact = Fact> extends AnalyzerBase {
  readonly kind: 'stream';
  open(entry: EntryInfo, ctx: AnalyzerContext): StreamSink<F>;
}

export interface StreamSink<F extends Fact = Fact> {
  write(chunk: Buffer): void;
  end(): F[] | Promise<F[]>;
}

/** Sees every entry (all types, including whiteouts), no content. Used for layer metadata. */
export interface EntryAnalyzer<F extends Fact = Fact> extends AnalyzerBase {
  readonly kind: 'entry';
  /** Called once per layer; `visit` is called for every entry, `finish` at the end of the layer. */
  start(ctx: AnalyzerContext): { visit(entry: EntryInfo): void; finish(): F[] };
}

export type Analyzer = FileAnalyzer | StreamAnalyzer | EntryAnalyzer;

// ---------------------------------------------------------------------------------------------
// Facts. Every fact is tied to the file path that produced it, so that layer merge can apply
// overlay semantics (a later layer's file, whiteout or opaque dir hides earlier facts of that
// path). Facts must be plain JSON: they are cached on disk.

export type PackageType =
  | 'deb'
  | 'rpm'
  | 'apk'
  | 'npm'
  | 'pypi'
  | 'maven'
  | 'golang'
  | 'gem'
  | 'nuget'
  | 'cargo'
  | 'composer';

export interface Package {
  type: PackageType;
  name: string;
  /**
   * The version as the ecosystem writes it, complete: dpkg `[epoch:]upstream[-revision]`,
   * rpm `[epoch:]version-release`, apk `version-rN`, npm/pypi/maven/go as declared.
   */
  version: string;
  /** rpm and dpkg epoch when present. */
  epoch?: number;
  /** rpm `version` field alone (without epoch/release). */
  upstreamVersion?: string;
  /** rpm release. */
  release?: string;
  arch?: string;
  /** Source package: deb `Source`, rpm source RPM name, apk origin. */
  source?: string;
  /** Source version when it differs from `version` (deb `Source: name (ver)`, rpm srpm EVR). */
  sourceVersion?: string;
  /** Maven group (also encoded in `name` as `group:artifact`). */
  group?: string;
  licenses?: string[];
  /** rpm modularity label (e.g. `nodejs:10:8000020190311150616:6a468ee4`). */
  modularityLabel?: string;
  /**
   * Set only when the identity is weaker than the package's own metadata, so matchers can treat it
   * as lower confidence: `manifest` (a jar without Maven coordinates, version from MANIFEST.MF),
   * `file-name` (name and version parsed from the file name alone).
   */
  evidence?: 'manifest' | 'file-name';
  /** Where in the image the package was found: db file, package.json, jar, binary. */
  path: string;
  purl: string;
}

export interface OsInfo {
  /** Lower-case os-release ID: debian, ubuntu, centos, rhel, euleros, openeuler, alpine, … */
  family: string;
  /** Human name, e.g. `CentOS Linux`. */
  name: string;
  /** As the distribution writes it: `16.04`, `10`, `7.9.2009`, `3.18.4`, `2.0 (SP8)`. */
  version: string;
  /** Release codename where known (`buster`, `xenial`). */
  codename?: string;
}

/** An OS identification from one file. `priority`: higher wins when several files speak. */
export interface OsFact {
  kind: 'os';
  path: string;
  priority: number;
  os: OsInfo;
}

/** The packages of one package database or one artifact file. */
export interface PackagesFact {
  kind: 'packages';
  path: string;
  packages: Package[];
}

/** A file kept whole (capped) for detectors that read the merged filesystem (baseline). */
export interface FileContentFact {
  kind: 'file';
  path: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** UTF-8 text, or base64 when `encoding` is base64. */
  content: string;
  encoding: 'utf8' | 'base64';
  truncated: boolean;
}

/** Layer metadata from the built-in entry analyzer. */
export interface LayerMetaFact {
  kind: 'layer-meta';
  path: '';
  entries: number;
  regularFiles: number;
  totalFileBytes: number;
  /** Paths deleted by this layer (`.wh.name` → `name`). */
  whiteouts: string[];
  /** Directories made opaque by this layer (`.wh..wh..opq`). */
  opaqueDirs: string[];
  /** Every symlink: path → target as written. */
  symlinks: Record<string, string>;
  /**
   * Every directory of the layer. A directory replaces a lower layer's symlink at its path (say
   * `etc/ssh` once a link, now a real dir); without the list the stale link would redirect reads.
   */
  dirs?: string[];
  /** Every hardlink: path → target path. */
  hardlinks: Record<string, string>;
  /** Regular files with setuid/setgid, or world-writable files/dirs (without sticky bit). */
  specialModes: Array<{ path: string; mode: number; uid: number; type: EntryInfo['type'] }>;
}

/** A secret or sensitive file found by the sensitive-information analyzer (masked, never raw). */
export interface SensitiveFact {
  kind: 'sensitive';
  path: string;
  key: string;
  severity: 'critical' | 'high' | 'medium' | 'low';
  md5: string;
  line?: number;
  masked: string;
  /** Short technical note (armor label, token type, what else the file holds); never the secret. */
  detail?: string;
  /** Id of the rule that produced the finding. */
  rule?: string;
}

/** Non-fatal problem with one file, kept with the facts so cached scans report it too. */
export interface WarningFact {
  kind: 'warning';
  path: string;
  message: string;
}

export type Fact = OsFact | PackagesFact | FileContentFact | LayerMetaFact | SensitiveFact | WarningFact;

/** What one analyzer produced for one layer: its facts and every path it was offered. */
export interface AnalyzerLayerResult {
  facts: Fact[];
  /** Paths this analyzer read in this layer (overlay analyzers only): a later copy hides earlier facts even if it yields none. */
  touched: string[];
}

/** All facts of one layer, keyed by analyzer name. */
export interface LayerFacts {
  diffId: string;
  byAnalyzer: Record<string, AnalyzerLayerResult>;
}
