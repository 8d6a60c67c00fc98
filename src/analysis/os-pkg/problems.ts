/**
 * Problems found in one package database, capped so that a garbage file cannot flood the report
 * with one warning per line: the first few are listed, the rest only counted.
 */
import type { WarningFact } from '../types.js';

const MAX_LISTED = 20;

export class ProblemList {
  private readonly listed: string[] = [];
  private dropped = 0;

  add(message: string): void {
    if (this.listed.length < MAX_LISTED) this.listed.push(message);
    else this.dropped++;
  }

  get size(): number {
    return this.listed.length + this.dropped;
  }

  messages(): string[] {
    return this.dropped === 0 ? [...this.listed] : [...this.listed, `${this.dropped} more problems not listed`];
  }

  /** As warning facts about `path` (the merge step prefixes the path when it reports them). */
  facts(path: string): WarningFact[] {
    return this.messages().map((message) => ({ kind: 'warning', path, message }));
  }
}
