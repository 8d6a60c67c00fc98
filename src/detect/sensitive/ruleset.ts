/**
 * Compiles the built-in rules plus user options into what the scanner needs per file: which
 * keyword automaton to run, which rules each keyword triggers, which path, structural and magic
 * rules apply. Plans are cached by the set of rules a path activates, so the per-file cost of
 * hundreds of path globs is one combined regular-expression test for most files.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AhoCorasick } from './aho-corasick.js';
import { DEFAULT_ALLOW_PATHS, EXAMPLE_VALUES } from './allow.js';
import { SENSITIVE_CATALOG, type CustomKeyInfo, type Severity } from './catalog.js';
import { GlobIndex, GlobSet } from './glob.js';
import { compileCustomRules, parseIgnoreFile, type IgnoreRules, type SensitiveOptions } from './options.js';
import { BUILTIN_RULES } from './rules/index.js';
import type { ContentRule, MagicRule, PathRule, RuleSetSpec, StructRule } from './rules/types.js';
import { TarsierError } from '../../errors.js';

/** Bump when the engine's behaviour changes in a way the source hash below would not show. */
const ENGINE_VERSION = 1;

/**
 * Where a rule applies: ids (in the rule set's glob index) of its `paths` and `excludePaths`.
 * Absent (the list is absent or empty): no restriction, no exclusion.
 */
interface Restriction {
  pathIds?: number[];
  excludeIds?: number[];
}

export interface CContent extends Restriction {
  idx: number;
  spec: ContentRule;
  re: RegExp;
  before: number;
  after: number;
  family: string;
  rank: number;
  group: string | number;
  requires?: string[];
  /** The match must contain the keyword occurrence (built-in rules); custom rules take any match in the window. */
  anchored: boolean;
  /** `re` is sticky and tried at each start position up to the keyword (short `before`). */
  sticky: boolean;
}
export interface CPath extends Restriction {
  idx: number;
  spec: PathRule;
  /** Keyword ids (in the full automaton) of which one must be seen. */
  requireKw?: number[];
}
export interface CStruct extends Restriction {
  spec: StructRule;
  maxBytes: number;
}
export interface CMagic extends Restriction {
  spec: MagicRule;
}

/** Everything the scanner needs for one file. */
export interface FilePlan {
  ac: AhoCorasick;
  /** Per keyword id of `ac`: the active content rules it triggers (empty array when none). */
  kwRules: CContent[][];
  kwLen: Int32Array;
  kwMaxBefore: Int32Array;
  kwMaxAfter: Int32Array;
  /** Bytes to keep from earlier chunks so windows reaching back across a boundary are complete. */
  tailKeep: number;
  pathRules: CPath[];
  structRules: CStruct[];
  magicRules: CMagic[];
  /** Some path rule needs keyword sightings. */
  tracksKeywords: boolean;
}

const DEFAULT_MAX_STRUCT = 1024 * 1024;

export class CompiledRuleSet {
  readonly hash: string;
  readonly content: CContent[];
  readonly pathRules: CPath[];
  readonly structRules: CStruct[];
  readonly magicRules: CMagic[];
  readonly customKeys: CustomKeyInfo[];
  private readonly globalAc: AhoCorasick;
  private readonly fullAc: AhoCorasick;
  private readonly fullKwIndex: Map<string, number>;
  private readonly globalKwIndex: Map<string, number>;
  /** Every glob that can change a file's plan (restrictions and exclusions of any rule). */
  private readonly special: GlobIndex;
  private readonly skip: GlobSet;
  private readonly plans = new Map<string, FilePlan>();
  private readonly defaultPlan: FilePlan;
  private configPlan?: FilePlan;
  private readonly allowValues: RegExp[];
  private readonly disabledKeys: Set<string>;
  private readonly ignore: IgnoreRules;
  private readonly ignoreKeyPaths: Array<{ key: string; glob: GlobSet }>;
  private readonly ignoreMd5: Set<string>;
  readonly exampleValues: ReadonlySet<string> = new Set(EXAMPLE_VALUES);

  constructor(options: SensitiveOptions = {}, spec: RuleSetSpec = BUILTIN_RULES) {
    const custom = compileCustomRules(options.customRules ?? []);
    this.customKeys = custom.keys;
    const disabledRules = new Set(options.disabledRules ?? []);
    this.disabledKeys = new Set(options.disabledKeys ?? []);
    for (const k of this.disabledKeys) {
      if (!SENSITIVE_CATALOG.has(k) && !custom.keys.some((c) => c.key === k)) throw new TarsierError('input', `disabled key ${JSON.stringify(k)} is not a sensitive-file key`);
    }
    const enabled = <T extends { id: string }>(rules: readonly T[]) => rules.filter((r) => !disabledRules.has(r.id));
    const contentSpecs = [...enabled(spec.content), ...custom.rules];

    // Every glob any rule restricts or excludes by, indexed once: a path's matching glob ids
    // decide which rules apply, and equal id sets share one cached plan.
    const globIds = new Map<string, number>();
    const ids = (list: readonly string[] | undefined) =>
      list?.length
        ? list.map((g) => {
            let id = globIds.get(g);
            if (id === undefined) globIds.set(g, (id = globIds.size));
            return id;
          })
        : undefined;
    const restricted = <T extends { spec: { paths?: readonly string[]; excludePaths?: readonly string[] } }>(r: T): T & Restriction =>
      Object.assign(r, { pathIds: ids(r.spec.paths), excludeIds: ids(r.spec.excludePaths) });
    // Path and structural rules apply only where their paths say: an empty list would mean everywhere.
    const located = <T extends { id: string; paths: readonly string[] }>(r: T): T => {
      if (r.paths.length === 0) throw new Error(`rule ${r.id} has no paths`);
      return r;
    };
    this.content = contentSpecs.map((r, idx) => restricted(compileContent(r, idx)));
    this.pathRules = enabled(spec.path).map((r, idx) => restricted({ idx, spec: located(r) }));
    this.structRules = enabled(spec.struct).map((r) => restricted({ spec: located(r), maxBytes: r.maxBytes ?? DEFAULT_MAX_STRUCT }));
    this.magicRules = enabled(spec.magic).map((r) => restricted({ spec: r }));
    this.special = new GlobIndex([...globIds.keys()]);

    const fullKeywords = new Set<string>();
    const globalKeywords = new Set<string>();
    for (const r of this.content) {
      for (const k of r.spec.keywords) {
        fullKeywords.add(k.toLowerCase());
        if (!r.pathIds) globalKeywords.add(k.toLowerCase());
      }
    }
    for (const p of this.pathRules) for (const k of p.spec.requireAny ?? []) fullKeywords.add(k.toLowerCase());
    const fullList = [...fullKeywords];
    const globalList = [...globalKeywords];
    this.fullAc = new AhoCorasick(fullList);
    this.globalAc = new AhoCorasick(globalList);
    this.fullKwIndex = new Map(fullList.map((k, i) => [k, i]));
    this.globalKwIndex = new Map(globalList.map((k, i) => [k, i]));
    for (const p of this.pathRules) if (p.spec.requireAny) p.requireKw = p.spec.requireAny.map((k) => this.fullKwIndex.get(k.toLowerCase()) as number);

    this.ignore = parseIgnoreFile(options.ignore ?? '', 'ignore file', custom.keys.map((k) => k.key));
    const allowPaths = [...(options.defaultAllowPaths === false ? [] : DEFAULT_ALLOW_PATHS), ...(options.allowPaths ?? []).map((p) => p.replace(/^\/+/, '')), ...this.ignore.paths];
    this.skip = new GlobSet(allowPaths);
    this.ignoreKeyPaths = this.ignore.keyPaths.map((k) => ({ key: k.key, glob: new GlobSet([k.glob]) }));
    this.ignoreMd5 = new Set(this.ignore.md5s);
    this.allowValues = (options.allowValues ?? []).map((v, i) => {
      try {
        return new RegExp(v);
      } catch (err) {
        throw new TarsierError('input', `allow value #${i + 1}: invalid pattern (${(err as Error).message})`);
      }
    });

    this.defaultPlan = this.buildPlan(
      // Used only for paths that match no restriction or exclusion glob of any rule.
      this.content.filter((r) => !r.pathIds),
      [],
      [],
      this.magicRules.filter((m) => !m.pathIds),
    );
    this.hash = ruleSetHash(spec, options);
  }

  /** Cheap per-entry filter: non-empty regular files outside the allowlisted paths. */
  wants(path: string, size: number): boolean {
    return size > 0 && !this.skip.matches(path);
  }

  plan(path: string): FilePlan {
    const matched = this.special.match(path);
    if (matched.length === 0) return this.defaultPlan;
    const sig = matched.join(',');
    let plan = this.plans.get(sig);
    if (!plan) {
      const hit = new Set(matched);
      const active = (r: Restriction) => (!r.pathIds || r.pathIds.some((i) => hit.has(i))) && !r.excludeIds?.some((i) => hit.has(i));
      plan = this.buildPlan(this.content.filter(active), this.pathRules.filter(active), this.structRules.filter(active), this.magicRules.filter(active));
      if (this.plans.size < 4096) this.plans.set(sig, plan);
    }
    return plan;
  }

  /** Plan for image-config text: unrestricted rules plus those marked `inConfig`. */
  planForConfig(): FilePlan {
    this.configPlan ??= this.buildPlan(
      this.content.filter((r) => !r.pathIds || r.spec.inConfig),
      [],
      [],
      [],
      true,
    );
    return this.configPlan;
  }

  private buildPlan(content: CContent[], pathRules: CPath[], structRules: CStruct[], magic: CMagic[], forceFull = false): FilePlan {
    const needsFull = forceFull || content.some((r) => r.pathIds) || pathRules.some((p) => p.requireKw);
    const ac = needsFull ? this.fullAc : this.globalAc;
    const index = needsFull ? this.fullKwIndex : this.globalKwIndex;
    const n = ac.keywords.length;
    const kwRules: CContent[][] = Array.from({ length: n }, () => []);
    const kwMaxBefore = new Int32Array(n);
    const kwMaxAfter = new Int32Array(n);
    const kwLen = new Int32Array(n);
    ac.keywords.forEach((k, i) => (kwLen[i] = Buffer.byteLength(k, 'latin1')));
    let maxBefore = 0;
    for (const r of content) {
      maxBefore = Math.max(maxBefore, r.before);
      for (const k of r.spec.keywords) {
        const id = index.get(k.toLowerCase());
        if (id === undefined) continue;
        (kwRules[id] as CContent[]).push(r);
        kwMaxBefore[id] = Math.max(kwMaxBefore[id] ?? 0, r.before);
        kwMaxAfter[id] = Math.max(kwMaxAfter[id] ?? 0, r.after);
      }
    }
    const maxKw = Math.max(0, ...kwLen);
    return {
      ac,
      kwRules,
      kwLen,
      kwMaxBefore,
      kwMaxAfter,
      tailKeep: maxBefore + maxKw + 1,
      pathRules,
      structRules,
      magicRules: magic,
      tracksKeywords: pathRules.some((p) => p.requireKw),
    };
  }

  severityOf(key: string, override?: Severity): Severity {
    return override ?? SENSITIVE_CATALOG.get(key)?.severity ?? this.customKeys.find((c) => c.key === key)?.severity ?? 'medium';
  }

  isDisabled(key: string): boolean {
    return this.disabledKeys.has(key);
  }

  /** A user-allowed or published example value. */
  allowedValue(secret: string): boolean {
    return this.exampleValues.has(secret) || this.allowValues.some((re) => re.test(secret));
  }

  /** Findings the ignore file drops (by key and path, or by the file's MD5). */
  ignored(key: string, path: string, md5: string): boolean {
    return this.ignoreMd5.has(md5) || this.ignoreKeyPaths.some((k) => k.key === key && k.glob.matches(path));
  }
}

function compileContent(r: ContentRule, idx: number): CContent {
  if (r.keywords.length === 0) throw new Error(`rule ${r.id} has no keywords`);
  // Built-in rules need a match containing the keyword. With a short `before`, only the few start
  // positions that can reach the keyword are tried (sticky); with a long one a global search from
  // the window start is cheaper. Custom rules accept any match in their window.
  const anchored = !r.id.startsWith('custom:');
  const sticky = anchored && (r.before ?? 64) <= 24;
  const flags = new Set([...r.pattern.flags.replace(/[gy]/g, ''), sticky ? 'y' : 'g', 'd']);
  const group = r.secretGroup ?? (/\(\?<secret>/.test(r.pattern.source) ? 'secret' : 0);
  return {
    idx,
    spec: r,
    re: new RegExp(r.pattern.source, [...flags].join('')),
    before: r.before ?? 64,
    after: r.after ?? 256,
    family: r.family ?? r.key,
    rank: r.rank ?? 50,
    group,
    requires: r.requires?.map((x) => x.toLowerCase()),
    anchored,
    sticky,
  };
}

/** Serialises rules with their patterns and functions, so any edit changes the hash (no compilation needed). */
export function ruleSetHash(spec: RuleSetSpec, options: SensitiveOptions): string {
  const h = createHash('sha256');
  h.update(`engine ${ENGINE_VERSION}\n`);
  h.update(
    JSON.stringify({ spec, options }, (_k, v: unknown) => {
      if (v instanceof RegExp) return `/${v.source}/${v.flags}`;
      if (typeof v === 'function') return v.toString();
      return v;
    }),
  );
  // Constants inside rule modules (glob lists used by validators) are not reachable from the rule
  // objects: hash the module sources too when they are readable.
  for (const text of moduleSources()) h.update(text);
  return h.digest('hex').slice(0, 16);
}

let sourcesCache: string[] | undefined;
function moduleSources(): string[] {
  if (sourcesCache) return sourcesCache;
  const out: string[] = [];
  try {
    for (const dir of ['./', './rules/']) {
      const abs = fileURLToPath(new URL(dir, import.meta.url));
      for (const f of readdirSync(abs).sort()) if (/\.(?:ts|js)$/.test(f) && !f.endsWith('.d.ts')) out.push(`${dir}${f}\n${readFileSync(`${abs}${f}`, 'utf8')}`);
    }
  } catch {
    // Bundled or sources unavailable: the structural hash above still covers the rules.
  }
  sourcesCache = out;
  return out;
}
