/**
 * Sensitive information in every layer: a stream analyzer, so files of any size are scanned in
 * the walker's single pass without being held in memory. Facts of every layer are kept (a secret
 * in a file a later layer deleted is still inside the image). The version carries a hash of the
 * rule set and options, so editing a rule re-analyses layers.
 */
import type { SensitiveOptions } from '../../detect/sensitive/options.js';
import { CompiledRuleSet } from '../../detect/sensitive/ruleset.js';
import { FileScanner } from '../../detect/sensitive/scanner.js';
import type { SensitiveFact, StreamAnalyzer } from '../types.js';

export function createSensitiveAnalyzer(options: SensitiveOptions = {}): StreamAnalyzer<SensitiveFact> {
  const rules = new CompiledRuleSet(options);
  return {
    name: 'sensitive',
    version: `1.${rules.hash}`,
    kind: 'stream',
    scope: 'every-layer',
    wants: (entry) => rules.wants(entry.path, entry.size),
    open(entry) {
      const scanner = new FileScanner(rules, entry.path);
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
