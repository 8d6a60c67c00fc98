/**
 * Sensitive information in every layer: a stream analyzer, so files of any size are scanned in
 * the walker's single pass without being held in memory. Facts of every layer are kept (a secret
 * in a file a later layer deleted is still inside the image). The version carries a hash of the
 * rule set and options, so editing a rule re-analyses layers.
 *
 * The built-in rules are compiled on first use, not at import: a scan answered from the caches
 * never walks a layer and should not pay for building the keyword automata.
 */
import type { SensitiveOptions } from '../../detect/sensitive/options.js';
import { BUILTIN_RULES } from '../../detect/sensitive/rules/index.js';
import { CompiledRuleSet, ruleSetHash } from '../../detect/sensitive/ruleset.js';
import { FileScanner } from '../../detect/sensitive/scanner.js';
import type { SensitiveFact, StreamAnalyzer } from '../types.js';

/**
 * Takes options, or a rule set already compiled (shared with the image-config scan). Options with
 * custom settings are compiled at once so a bad rule is reported before any layer is read.
 */
export function createSensitiveAnalyzer(options: SensitiveOptions | CompiledRuleSet = {}): StreamAnalyzer<SensitiveFact> {
  let compiled = options instanceof CompiledRuleSet ? options : Object.keys(options).length > 0 ? new CompiledRuleSet(options) : undefined;
  const rules = () => (compiled ??= new CompiledRuleSet(options as SensitiveOptions));
  // The hash needs no compilation: a cached scan gets the version without building the automata.
  let version = compiled ? `1.${compiled.hash}` : undefined;
  return {
    name: 'sensitive',
    get version() {
      return (version ??= `1.${ruleSetHash(BUILTIN_RULES, options as SensitiveOptions)}`);
    },
    kind: 'stream',
    scope: 'every-layer',
    wants: (entry) => rules().wants(entry.path, entry.size),
    open(entry) {
      const scanner = new FileScanner(rules(), entry.path);
      return {
        write: (chunk) => scanner.write(chunk),
        end: () =>
          scanner.end().map((f) => ({
            kind: 'sensitive' as const,
            path: entry.path,
            key: f.key,
            severity: f.severity,
            md5: f.md5,
            ...(f.line !== undefined ? { line: f.line } : {}),
            masked: f.masked,
            ...(f.detail ? { detail: f.detail } : {}),
            rule: f.ruleId,
          })),
      };
    },
  };
}

/** The analyzer with built-in rules and default allow paths. */
export const sensitiveAnalyzer = createSensitiveAnalyzer();
