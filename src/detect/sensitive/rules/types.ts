import type { Severity } from '../catalog.js';

/** What a rule knows about the file it looks at. */
export interface FileContext {
  /** Normalised in-image path (no leading `/`), or `config:Env` / `history[3]` for image-config text. */
  path: string;
  /** Last path segment. */
  base: string;
  /** Image-config text (ENV values, labels, history lines), not a file. */
  config?: boolean;
}

/** A rule's decision about one match: `false` drops it; an object can re-classify it. */
export type Verdict = boolean | Classification;

export interface Classification {
  key?: string;
  severity?: Severity;
  /** Short English technical note (armor label, token type); never the secret. */
  detail?: string;
  family?: string;
  rank?: number;
  /** Masked text to show instead of the default prefix mask. Must not contain the secret. */
  masked?: string;
  /** Treat this finding as a catch-all (dropped when a specific key fired for the file). */
  catchAll?: boolean;
}

/** Fields every rule kind shares. */
export interface RuleBase {
  id: string;
  /** Catalog key reported (a validator may re-classify). */
  key: string;
  /** Severity when it differs from the catalog default. */
  severity?: Severity;
  /** Findings of one family in one file collapse to one; default: the key. */
  family?: string;
  /** Precedence inside a family: lower wins. Default 50. */
  rank?: number;
  /**
   * A file-type finding (`.aws/credentials`, `wp-config.php`): token findings of the same file
   * whose severity is not higher fold into it, so the file is one alert.
   */
  fileType?: boolean;
  /** Fires only if nothing more specific fired for the file (`common_cred`, `php_config`, …). */
  catchAll?: boolean;
  /** Only for files whose path matches one of these globs. */
  paths?: string[];
  /** Never for files whose path matches one of these globs. */
  excludePaths?: string[];
}

/**
 * A content rule: keywords for the prefilter, and a regular expression run only in a window
 * around each keyword hit. A match counts only if it contains the keyword occurrence. Keep every
 * quantifier bounded and avoid nested repetition: the rules are tested on adversarial 1 MB
 * inputs under a time bound.
 */
export interface ContentRule extends RuleBase {
  /** Lower-case keywords (matched case-insensitively); at least one. */
  keywords: string[];
  /** Must not be sticky or global; the engine adds `g` and `d`. */
  pattern: RegExp;
  /** Capture group holding the secret (name or number); default: group `secret`, else 1, else 0. */
  secretGroup?: string | number;
  /** Window around a keyword hit, in bytes: before its first byte and after its last. */
  before?: number;
  after?: number;
  /** Lower-case literals of which the window must contain one (a cheap second filter). */
  requires?: string[];
  /** Minimum secret length. */
  minLength?: number;
  /** Minimum Shannon entropy (bits/char) of the secret. */
  entropy?: number;
  /** Skip placeholder values (`${VAR}`, `<token>`, `changeme`, …). Default true. */
  rejectPlaceholders?: boolean;
  /** Keyword-anchored generic rule: stricter placeholder checks (`your_password`, `example`, …). */
  generic?: boolean;
  /** Values (regexes over the secret) that are known examples or public. */
  allow?: RegExp[];
  /** Structural check; may re-classify. */
  validate?: (secret: string, match: RegExpExecArray, file: FileContext) => Verdict;
  /** Leading characters of the secret that are a public prefix (shown when masking). */
  publicPrefix?: number;
  /** Also runs on image-config text, even though `paths` restricts it for files. */
  inConfig?: boolean;
}

/** A rule decided by the path (the file must be non-empty), optionally confirmed by a keyword. */
export interface PathRule extends RuleBase {
  paths: string[];
  /** Shown as the masked content (there is no secret value to show). */
  label: string;
  /** Lower-case keywords of which one must occur in the file (text files only). */
  requireAny?: string[];
  /** Fire for binary files too (e.g. a Firefox key database); `requireAny` is then not checked. */
  binary?: boolean;
  detail?: string;
}

/** What a structural check found: one finding, with its own line and secret. */
export interface StructHit {
  key?: string;
  /** The secret value: only used to build the mask, never stored. */
  secret?: string;
  /** Masked text when there is no single secret value (e.g. a label). */
  masked?: string;
  /** Characters of `secret` that are a public prefix (shown when masking). */
  publicPrefix?: number;
  /** Offset of the secret (or the evidence) in the text, for the line number. */
  index?: number;
  severity?: Severity;
  detail?: string;
  rank?: number;
}

/**
 * A format-aware check of a small file found by path (JSON, YAML, INI, line formats). The file's
 * first `maxBytes` are kept in memory (bounded; larger files are checked on that prefix).
 */
export interface StructRule extends RuleBase {
  paths: string[];
  maxBytes?: number;
  /** Also for binary files (UTF-16 text such as `.rdp`; decoded when it has a byte-order mark). */
  binary?: boolean;
  check(text: string, file: FileContext, truncated: boolean): StructHit[];
}

/** What a magic check found in a binary file. */
export interface MagicHit {
  key: string;
  /** Shown as the masked content. */
  label: string;
  severity?: Severity;
  detail?: string;
  rank?: number;
}

/**
 * Sees the whole file from its first byte, chunk by chunk. `push` returns a hit or `null` once
 * decided, `undefined` to see more; `end` decides at end of file.
 */
export interface MagicParser {
  push(chunk: Buffer): MagicHit | null | undefined;
  end(): MagicHit | null;
}

/** A binary-format check on the file's first bytes, which may ask to see the rest of the file. */
export interface MagicRule {
  id: string;
  family: string;
  /** Files whose path matches one of these globs only. */
  paths?: string[];
  excludePaths?: string[];
  fileType?: boolean;
  probe(head: Buffer, file: FileContext): MagicHit | MagicParser | null;
}

export interface RuleSetSpec {
  content: ContentRule[];
  path: PathRule[];
  struct: StructRule[];
  magic: MagicRule[];
}
