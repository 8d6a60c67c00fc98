/** Parsing helpers for CLI option values; each failure names the option and the bad value. */
import { TarsierError } from '../errors.js';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1000, kib: 1024, m: 2 ** 20, mb: 1e6, mib: 2 ** 20, g: 2 ** 30, gb: 1e9, gib: 2 ** 30, t: 2 ** 40, tb: 1e12, tib: 2 ** 40 };

export function parseSize(option: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new TarsierError('usage', `${option} ${JSON.stringify(text)}: expected a size such as 512MiB, 2GiB or 1048576`);
  const value = Math.floor(Number(m[1]) * unit);
  if (value <= 0) throw new TarsierError('usage', `${option} must be greater than zero`);
  return value;
}

export function parseIntOption(option: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new TarsierError('usage', `${option} ${JSON.stringify(text)}: expected a whole number`);
  const n = Number(text);
  if (n < min || n > max) throw new TarsierError('usage', `${option} ${n}: must be between ${min} and ${max}`);
  return n;
}

export function parseChoice<T extends string>(option: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw new TarsierError('usage', `${option} ${JSON.stringify(text)}: expected one of ${choices.join(', ')}`);
  return text as T;
}

export function parseList<T extends string>(option: string, text: string, choices: readonly T[]): T[] {
  const items = text.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (items.length === 0) throw new TarsierError('usage', `${option} needs at least one of ${choices.join(', ')}`);
  return items.map((i) => parseChoice(option, i, choices));
}
