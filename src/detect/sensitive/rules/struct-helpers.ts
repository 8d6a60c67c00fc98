/** Checks shared by structural rules: key/value pairs in INI, JSON and YAML-ish files. */
import { indexOfJsonValue, jsonStrings, parseIni, parseJson } from '../formats.js';
import { isPlaceholder } from '../validators.js';
import type { StructHit, StructRule } from './types.js';

export function iniPairCheck(keys: string[], detail: string, minLength = 16): StructRule['check'] {
  return (text) => {
    const hits: StructHit[] = [];
    for (const e of parseIni(text)) {
      if (keys.includes(e.key) && e.value.length >= minLength && !isPlaceholder(e.value)) hits.push({ secret: e.value, index: e.index, detail: `${detail} ${e.key}` });
    }
    return hits;
  };
}

export function jsonKeysCheck(keys: string[], detail: string, minLength = 16): StructRule['check'] {
  return (text) => {
    const doc = parseJson(text);
    if (doc === undefined) return [];
    return jsonStrings(doc)
      .filter((s) => keys.includes(s.key) && s.value.length >= minLength && !isPlaceholder(s.value))
      .map((s) => ({ secret: s.value, index: indexOfJsonValue(text, s.value), detail: `${detail} ${s.key}` }));
  };
}

/** `key: value` lines (YAML, Ruby hashes, simple configs) whose key matches `keyRe` (group 1 = value). */
export function linesCheck(re: RegExp, detail: string, minLength = 8): StructRule['check'] {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  return (text) => {
    const hits: StructHit[] = [];
    g.lastIndex = 0;
    for (let m = g.exec(text); m && hits.length < 100; m = g.exec(text)) {
      const v = m[1] ?? '';
      if (v.length >= minLength && !isPlaceholder(v) && !/^<%|^\$\{|ENV\[|System\.get_env|getenv/.test(v)) hits.push({ secret: v, index: m.index + m[0].indexOf(v), detail });
      if (m[0].length === 0) g.lastIndex++;
    }
    return hits;
  };
}
