/**
 * Python core metadata (`METADATA`, `PKG-INFO`): RFC 822 style headers, one `Field: value` per
 * line, continuation lines indented, a blank line before the optional description body. Fields
 * may repeat (`Classifier`, `License-File`). Spec: packaging.python.org "Core metadata
 * specifications".
 */

/** Header fields by lower-case name, values in file order. */
export type HeaderFields = Map<string, string[]>;

export function parseHeaders(text: string): HeaderFields {
  const fields: HeaderFields = new Map();
  let current: { values: string[]; index: number } | null = null;
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (line.trim() === '') break; // end of headers; the body is the description
    if (/^[ \t]/.test(line)) {
      if (current) current.values[current.index] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      current = null;
      continue;
    }
    const name = line.slice(0, colon).trim().toLowerCase();
    const values = fields.get(name) ?? [];
    values.push(line.slice(colon + 1).trim());
    fields.set(name, values);
    current = { values, index: values.length - 1 };
  }
  return fields;
}

export interface PythonDistribution {
  name: string;
  version: string;
  licenses: string[];
}

export type MetadataRead = { status: 'ok'; dist: PythonDistribution } | { status: 'invalid'; reason: string };

export function readCoreMetadata(content: Buffer): MetadataRead {
  const fields = parseHeaders(content.toString('utf8'));
  const name = first(fields, 'name');
  const version = first(fields, 'version');
  if (!name || !version) return { status: 'invalid', reason: `no ${!name ? 'Name' : 'Version'} field` };
  return { status: 'ok', dist: { name, version, licenses: licensesOf(fields) } };
}

function first(fields: HeaderFields, name: string): string | undefined {
  const v = fields.get(name)?.[0]?.trim();
  return v === '' ? undefined : v;
}

/** A `License` value longer than this, or spanning lines, is the license text, not its name. */
const MAX_LICENSE_NAME_LENGTH = 128;

/**
 * In order of precision: `License-Expression` (SPDX, metadata 2.4); a short `License` field;
 * otherwise the trove classifiers' last segment (`License :: OSI Approved :: MIT License` →
 * `MIT License`), kept as written rather than guessed into SPDX ids.
 */
function licensesOf(fields: HeaderFields): string[] {
  const expression = first(fields, 'license-expression');
  if (expression) return [expression];
  const license = first(fields, 'license');
  if (license && license.toUpperCase() !== 'UNKNOWN' && !license.includes('\n') && license.length <= MAX_LICENSE_NAME_LENGTH) return [license];
  const out: string[] = [];
  for (const classifier of fields.get('classifier') ?? []) {
    const segments = classifier.split('::').map((s) => s.trim());
    if (segments[0] !== 'License' || segments.length < 2) continue;
    const last = segments[segments.length - 1] as string;
    // `License :: OSI Approved` alone says nothing about which license.
    if (segments.length === 2 && last === 'OSI Approved') continue;
    if (last !== '' && !out.includes(last)) out.push(last);
  }
  return out;
}
