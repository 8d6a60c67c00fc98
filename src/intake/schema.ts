/**
 * A small validator for untrusted JSON: every value is checked against a declared shape with
 * bounds (string lengths, array lengths, integer ranges), unknown object keys are refused, and
 * the first failure becomes a one-line error naming the JSON path (`report.packages[3].name`).
 * Only plain data passes; `__proto__` and friends never become keys of anything.
 */
import { TarsierError } from '../errors.js';

export type Check<T> = (value: unknown, path: string) => T;

function fail(path: string, what: string): never {
  throw new TarsierError('input', `upload: ${path}: ${what}`);
}

// Control characters other than tab, newline and carriage return have no business in these texts.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export function str(max: number, opts: { min?: number; pattern?: RegExp; multiline?: boolean } = {}): Check<string> {
  return (v, path) => {
    if (typeof v !== 'string') return fail(path, 'expected a string');
    if (v.length < (opts.min ?? 0)) return fail(path, opts.min === 1 ? 'must not be empty' : `must be at least ${opts.min} characters`);
    if (v.length > max) return fail(path, `longer than ${max} characters`);
    if (opts.pattern && !opts.pattern.test(v)) return fail(path, `${JSON.stringify(v.slice(0, 80))} is not in the expected form`);
    if (!opts.multiline && CONTROL.test(v)) return fail(path, 'contains control characters');
    return v;
  };
}

export function int(min: number, max: number): Check<number> {
  return (v, path) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) return fail(path, 'expected an integer');
    if (v < min || v > max) return fail(path, `must be between ${min} and ${max}`);
    return v;
  };
}

export function num(min: number, max: number): Check<number> {
  return (v, path) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return fail(path, 'expected a number');
    if (v < min || v > max) return fail(path, `must be between ${min} and ${max}`);
    return v;
  };
}

export const bool: Check<boolean> = (v, path) => (typeof v === 'boolean' ? v : fail(path, 'expected true or false'));

export function oneOf<T extends string | number>(values: readonly T[]): Check<T> {
  return (v, path) => ((values as readonly unknown[]).includes(v) ? (v as T) : fail(path, `expected one of ${values.join(', ')}`));
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (v, path) => (v === null ? null : check(v, path));
}

export function arr<T>(item: Check<T>, max: number): Check<T[]> {
  return (v, path) => {
    if (!Array.isArray(v)) return fail(path, 'expected an array');
    if (v.length > max) return fail(path, `more than ${max} items`);
    v.forEach((x, i) => item(x, `${path}[${i}]`));
    return v as T[];
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

type Shape = Record<string, Check<unknown>>;
type Out<S extends Shape> = { [K in keyof S]: ReturnType<S[K]> };

/** An object with exactly these keys; those listed in `optional` may be absent. */
export function obj<S extends Shape>(shape: S, optional: ReadonlyArray<keyof S & string> = []): Check<Out<S>> {
  const opt = new Set<string>(optional);
  return (v, path) => {
    if (!isPlainObject(v)) return fail(path, 'expected an object');
    for (const key of Object.keys(v)) if (!Object.hasOwn(shape, key)) fail(path, `unknown field ${JSON.stringify(key.slice(0, 80))}`);
    for (const [key, check] of Object.entries(shape)) {
      if (!Object.hasOwn(v, key) || v[key] === undefined) {
        if (!opt.has(key)) fail(path, `missing field "${key}"`);
        continue;
      }
      check(v[key], `${path}.${key}`);
    }
    return v as Out<S>;
  };
}

/** A map with bounded keys and values. */
export function record<T>(value: Check<T>, maxKeys: number, key: Check<string>): Check<Record<string, T>> {
  return (v, path) => {
    if (!isPlainObject(v)) return fail(path, 'expected an object');
    const keys = Object.keys(v);
    if (keys.length > maxKeys) return fail(path, `more than ${maxKeys} entries`);
    for (const k of keys) {
      key(k, `${path} key`);
      value(v[k], `${path}[${JSON.stringify(k.slice(0, 80))}]`);
    }
    return v as Record<string, T>;
  };
}

/** Any JSON value, bounded in depth, container size and string length (image configs we store whole). */
export function json(maxDepth: number, maxItems: number, maxString: number): Check<unknown> {
  const walk = (v: unknown, path: string, depth: number): void => {
    if (v === null || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail(path, 'expected a finite number');
      return;
    }
    if (typeof v === 'string') {
      if (v.length > maxString) fail(path, `longer than ${maxString} characters`);
      return;
    }
    if (depth >= maxDepth) fail(path, `nested deeper than ${maxDepth}`);
    if (Array.isArray(v)) {
      if (v.length > maxItems) fail(path, `more than ${maxItems} items`);
      v.forEach((x, i) => walk(x, `${path}[${i}]`, depth + 1));
      return;
    }
    if (!isPlainObject(v)) fail(path, 'expected JSON data');
    const keys = Object.keys(v);
    if (keys.length > maxItems) fail(path, `more than ${maxItems} entries`);
    for (const k of keys) {
      if (k.length > maxString) fail(path, 'a key is too long');
      walk(v[k], `${path}.${k.slice(0, 80)}`, depth + 1);
    }
  };
  return (v, path) => {
    walk(v, path, 0);
    return v;
  };
}
