/**
 * The user's secret-scanning configuration as files: a YAML or JSON config (custom rules,
 * disabled keys and rules, a path whitelist, allowed values) and an ignore file. Like Trivy's
 * `trivy-secret.yaml` / `.trivyignore`, the defaults `tarsier-secret.yaml` and `.tarsierignore`
 * are read from the working directory when they exist; a file named explicitly must exist.
 * Every mistake is a TarsierError naming the file and the field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import jsyaml from 'js-yaml';
import { TarsierError } from '../../errors.js';
import { CompiledRuleSet } from './ruleset.js';
import { compileCustomRules, parseIgnoreFile, type CustomRuleSpec, type SensitiveOptions } from './options.js';

export const DEFAULT_SECRET_CONFIG = 'tarsier-secret.yaml';
export const DEFAULT_SECRET_IGNORE = '.tarsierignore';

/** Config files are small; a bigger one is a mistake (a binary passed by accident). */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

const TOP_FIELDS = ['rules', 'disable-keys', 'disable-rules', 'allow-paths', 'allow-values', 'default-allow-paths'] as const;
const RULE_FIELDS = ['id', 'key', 'name', 'severity', 'description', 'advice', 'keywords', 'regex', 'flags', 'paths', 'exclude-paths', 'entropy', 'min-length', 'allow'] as const;

type Obj = Record<string, unknown>;

/** Parses the text of a secret config (YAML, of which JSON is a subset). */
export function parseSecretConfig(text: string, where: string): SensitiveOptions {
  let doc: unknown;
  try {
    doc = jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA, json: true });
  } catch (err) {
    throw new TarsierError('input', `${where}: not valid YAML or JSON (${firstLine(err)})`);
  }
  if (doc === undefined || doc === null) return {};
  const top = object(doc, where);
  unknownFields(top, TOP_FIELDS, where);
  const out: SensitiveOptions = {};
  if (top.rules !== undefined) {
    if (!Array.isArray(top.rules)) throw new TarsierError('input', `${where}: rules must be a list`);
    out.customRules = top.rules.map((r, i) => customRule(r, `${where}: rules[${i}]`));
  }
  const keys = stringList(top['disable-keys'], `${where}: disable-keys`);
  if (keys) out.disabledKeys = keys;
  const rules = stringList(top['disable-rules'], `${where}: disable-rules`);
  if (rules) out.disabledRules = rules;
  const paths = stringList(top['allow-paths'], `${where}: allow-paths`);
  if (paths) out.allowPaths = paths;
  const values = stringList(top['allow-values'], `${where}: allow-values`);
  if (values) out.allowValues = values;
  if (top['default-allow-paths'] !== undefined) {
    if (typeof top['default-allow-paths'] !== 'boolean') throw new TarsierError('input', `${where}: default-allow-paths must be true or false`);
    out.defaultAllowPaths = top['default-allow-paths'];
  }
  return out;
}

function customRule(raw: unknown, where: string): CustomRuleSpec {
  const r = object(raw, where);
  unknownFields(r, RULE_FIELDS, where);
  const str = (f: string) => {
    const v = r[f];
    if (v !== undefined && typeof v !== 'string') throw new TarsierError('input', `${where}: ${f} must be a string`);
    return v;
  };
  const num = (f: string) => {
    const v = r[f];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) throw new TarsierError('input', `${where}: ${f} must be a non-negative number`);
    return v;
  };
  const severity = str('severity')?.toLowerCase();
  // Shape checks here; compileCustomRules validates ids, keywords, patterns and severities.
  const spec: CustomRuleSpec = {
    id: str('id') as string,
    keywords: stringList(r.keywords, `${where}: keywords`) as string[],
    pattern: str('regex') as string,
  };
  const optional: Partial<CustomRuleSpec> = {
    key: str('key'),
    name: str('name'),
    severity: severity as CustomRuleSpec['severity'],
    description: str('description'),
    advice: str('advice'),
    flags: str('flags'),
    paths: stringList(r.paths, `${where}: paths`),
    excludePaths: stringList(r['exclude-paths'], `${where}: exclude-paths`),
    entropy: num('entropy'),
    minLength: num('min-length'),
    allow: stringList(r.allow, `${where}: allow`),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (spec as unknown as Obj)[k] = v;
  return spec;
}

function object(v: unknown, where: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TarsierError('input', `${where}: must be a mapping of fields`);
  return v as Obj;
}

function unknownFields(o: Obj, known: readonly string[], where: string): void {
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new TarsierError('input', `${where}: unknown field ${JSON.stringify(k)} (known: ${known.join(', ')})`);
}

function stringList(v: unknown, where: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw new TarsierError('input', `${where} must be a list of strings`);
  return v as string[];
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

export interface SecretFileFlags {
  /** `--secret-config`: a path, or undefined for the default file when present. */
  config?: string;
  /** `--secret-ignorefile`: a path, or undefined for the default file when present. */
  ignoreFile?: string;
  /** `--skip-secret-paths`: extra path globs never scanned. */
  allowPaths?: readonly string[];
  cwd?: string;
}

/**
 * The rule set the flags describe: built-in rules plus the config and ignore files (named, or the
 * defaults that exist) and extra skipped paths. Rule errors name the config file.
 */
export function secretRuleSet(flags: SecretFileFlags): CompiledRuleSet {
  const { options, configPath } = loadSecretOptions(flags);
  try {
    return new CompiledRuleSet(options);
  } catch (err) {
    if (err instanceof TarsierError && configPath) throw new TarsierError(err.code, `${configPath}: ${err.message}`);
    throw err;
  }
}

/** Reads the config and ignore files the flags name (or the defaults that exist) into options. */
export function loadSecretOptions(flags: SecretFileFlags): { options: SensitiveOptions; configPath?: string } {
  const cwd = flags.cwd ?? process.cwd();
  const configPath = pick(flags.config, DEFAULT_SECRET_CONFIG, cwd, '--secret-config');
  const ignorePath = pick(flags.ignoreFile, DEFAULT_SECRET_IGNORE, cwd, '--secret-ignorefile');
  const options = configPath ? parseSecretConfig(readSmall(configPath, '--secret-config'), configPath) : {};
  if (ignorePath) {
    const text = readSmall(ignorePath, '--secret-ignorefile');
    // Checked here so a mistake names the file; the rule set parses it again.
    parseIgnoreFile(text, ignorePath, compileCustomRules(options.customRules ?? []).keys.map((k) => k.key));
    options.ignore = text;
  }
  if (flags.allowPaths?.length) {
    for (const p of flags.allowPaths) if (p.trim() === '') throw new TarsierError('usage', '--skip-secret-paths: empty path pattern');
    options.allowPaths = [...(options.allowPaths ?? []), ...flags.allowPaths.map((p) => p.trim())];
  }
  return { options, ...(configPath ? { configPath } : {}) };
}

function pick(explicit: string | undefined, fallback: string, cwd: string, option: string): string | undefined {
  if (explicit !== undefined) {
    const p = resolve(cwd, explicit);
    if (!existsSync(p)) throw new TarsierError('usage', `${option} ${JSON.stringify(explicit)}: no such file`);
    return p;
  }
  const p = resolve(cwd, fallback);
  return existsSync(p) ? p : undefined;
}

function readSmall(path: string, option: string): string {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err) {
    throw new TarsierError('usage', `${option} ${JSON.stringify(path)}: cannot be read (${firstLine(err)})`);
  }
  if (buf.length > MAX_FILE_BYTES) throw new TarsierError('input', `${option} ${JSON.stringify(path)}: larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
  return buf.toString('utf8');
}
