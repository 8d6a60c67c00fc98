/**
 * Alibaba RPC parameters arrive as strings in the query or a form body. Array and object
 * parameters come JSON-encoded in one string (`ScanRange=["image"]`, the SDKs' "json" style) or
 * flattened (`ScanRange.1=image`, `Items.1.Name=x`, the "repeatList" style); both decode to JSON
 * values here. Scalars stay strings: the action's validator coerces them to its schema's types.
 */
import type { TObject, TSchema } from 'typebox';
import type { Pair } from './auth/encoding.js';
import { ApiError } from './errors.js';

/** Parameters of the protocol itself, not of any action (unless an action declares one). */
export const COMMON_PARAMS = new Set(['Action', 'Version', 'Format', 'AccessKeyId', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'SignatureType', 'Timestamp', 'Signature', 'SecurityToken', 'RegionId']);

/** Flattened lists beyond this many items are refused rather than allocated. */
const MAX_REPEAT = 1000;

function schemaType(s: TSchema | undefined): string | undefined {
  const t = (s as { type?: unknown } | undefined)?.type;
  return typeof t === 'string' ? t : undefined;
}

/** JSON.parse without prototype-bearing keys. */
function parseJson(text: string): unknown {
  return JSON.parse(text, (k, v: unknown) => (k === '__proto__' ? undefined : v));
}

export function decodeActionParams(schema: TObject, pairs: Pair[]): Record<string, unknown> {
  const props = schema.properties as Record<string, TSchema>;
  const out = new Map<string, unknown>();
  const repeated = new Map<string, Map<number, unknown>>();
  for (const [key, value] of pairs) {
    if (COMMON_PARAMS.has(key) && !(key in props)) continue;
    const dot = key.indexOf('.');
    if (dot > 0 && schemaType(props[key.slice(0, dot)]) === 'array') {
      collectRepeated(repeated, key.slice(0, dot), key.slice(dot + 1), value);
      continue;
    }
    // Unknown parameters are ignored, as the vendor ignores them; a repeated one keeps its first value.
    if (!Object.hasOwn(props, key) || out.has(key)) continue;
    const type = schemaType(props[key]);
    if (type === 'array' || type === 'object') {
      try {
        out.set(key, parseJson(value));
      } catch {
        throw new ApiError('invalid_parameter', `The specified parameter "${key}" is not valid: it must be a JSON-encoded ${type}.`, { param: key });
      }
    } else {
      out.set(key, value);
    }
  }
  for (const [name, items] of repeated) {
    if (out.has(name)) continue;
    out.set(name, [...items.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v));
  }
  return Object.fromEntries(out);
}

function collectRepeated(repeated: Map<string, Map<number, unknown>>, name: string, rest: string, value: string): void {
  const m = /^(\d+)(?:\.(.+))?$/.exec(rest);
  const index = m ? Number(m[1]) : NaN;
  if (!m || index < 1 || index > MAX_REPEAT) throw new ApiError('invalid_parameter', `The specified parameter "${name}.${rest}" is not valid: list items are numbered 1 to ${MAX_REPEAT}.`, { param: name });
  const items = repeated.get(name) ?? new Map<number, unknown>();
  repeated.set(name, items);
  const field = m[2];
  if (field === undefined) {
    if (!items.has(index)) items.set(index, value);
    return;
  }
  if (field.includes('.')) throw new ApiError('invalid_parameter', `The specified parameter "${name}.${rest}" is not valid.`, { param: name });
  // A prototype-less record: field names such as "constructor" are plain data here.
  const item = (items.get(index) as Record<string, unknown> | undefined) ?? (Object.create(null) as Record<string, unknown>);
  if (!Object.hasOwn(item, field)) item[field] = value;
  items.set(index, item);
}
