/**
 * The Debian security tracker's advisory lists, `data/DSA/list` and `data/DLA/list`:
 *
 *     [29 Mar 2023] DSA-5380-1 xorg-server - security update
 *     	{CVE-2023-1393}
 *     	[bullseye] - xorg-server 2:1.20.11-1+deb11u6
 *     	[jessie] - virtualbox <end-of-life>
 *     	NOTE: …
 *
 * A header line opens an advisory; indented lines give the issues it fixes (`{…}`) and, per suite,
 * the fixed source version or a state (`<not-affected>`, `<unfixed>`, `<end-of-life>`), sometimes
 * with an urgency in parentheses (`(medium)`). NOTE lines are commentary and are not read.
 */
import { dpkg } from '../detect/vulns/versions/dpkg.js';
import type { Severity } from '../report/model.js';
import { debianSuite } from './ecosystems.js';
import type { Advisory, AffectedPackage, ReadOptions, VendorStatus } from './types.js';

const MONTHS: Record<string, string> = { Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06', Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12' };
const HEADER = /^\[(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})\] ((?:DSA|DLA|DTSA)-\d+(?:-\d+)?) ?(.*)$/;
const SUITE_LINE = /^\[([a-z-]+)\]\s+-\s+(\S+)\s+(\S+)(?:\s+\((.*)\))?$/;
const STATES: Record<string, VendorStatus> = { '<not-affected>': 'not_affected', '<unfixed>': 'affected', '<end-of-life>': 'end_of_life' };
const URGENCY: Record<string, Severity> = { unimportant: 'low', low: 'low', medium: 'medium', high: 'high' };

/** Reads a DSA or DLA list from its lines. `where` names the file in messages. */
export async function* parseDebianList(lines: AsyncIterable<string> | Iterable<string>, where: string, opts: ReadOptions = {}): AsyncGenerator<Advisory> {
  const warn = opts.warn ?? (() => undefined);
  let current: Advisory | null = null;
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo++;
    const line = raw.replace(/\s+$/, '');
    if (line.trim() === '') continue;
    const header = HEADER.exec(line);
    if (header) {
      if (current) yield current;
      current = startAdvisory(header);
      continue;
    }
    if (!/^\s/.test(line)) {
      warn(`${where}:${lineNo}: not an advisory header or an indented line; skipped`);
      continue;
    }
    const body = line.trim();
    if (!current) {
      warn(`${where}:${lineNo}: indented line before any advisory header; skipped`);
      continue;
    }
    if (body.startsWith('NOTE:')) continue;
    if (body.startsWith('{')) {
      const ids = body.replace(/^\{|\}$/g, '').split(/\s+/).filter(Boolean);
      current.covers = [...new Set([...(current.covers ?? []), ...ids])];
      continue;
    }
    const suiteLine = SUITE_LINE.exec(body);
    if (!suiteLine) {
      warn(`${where}:${lineNo}: unrecognised line in ${current.id}; skipped`);
      continue;
    }
    const affected = readSuiteLine(suiteLine, `${where}:${lineNo}`, warn);
    if (affected) current.affected.push(affected);
  }
  if (current) yield current;
}

function startAdvisory(m: RegExpExecArray): Advisory {
  const [, day, month, year, id, rest] = m as unknown as [string, string, string, string, string, string];
  // "src [src2 …] - title"; old entries may have no title
  const dash = rest.indexOf(' - ');
  const title = dash >= 0 ? rest.slice(dash + 3).trim() : '';
  const packages = (dash >= 0 ? rest.slice(0, dash) : rest).trim();
  const advisory: Advisory = {
    id,
    aliases: [],
    source: id.startsWith('DLA-') ? 'debian-dla' : id.startsWith('DTSA-') ? 'debian-dtsa' : 'debian-dsa',
    affected: [],
  };
  const heading = [packages, title].filter(Boolean).join(': ');
  if (heading) advisory.title = heading;
  const mm = MONTHS[month];
  if (mm) advisory.published = `${year}-${mm}-${day.padStart(2, '0')}`;
  return advisory;
}

function readSuiteLine(m: RegExpExecArray, where: string, warn: (message: string) => void): AffectedPackage | null {
  const [, suite, name, versionOrState, note] = m as unknown as [string, string, string, string, string | undefined];
  const ecosystem = debianSuite(suite);
  if (!ecosystem) {
    warn(`${where}: unknown suite [${suite}]; skipped`);
    return null;
  }
  const base = { namespace: ecosystem.namespace, name, nameKind: 'source' as const, scheme: 'dpkg' as const };
  const severity = note ? URGENCY[note.trim().toLowerCase()] : undefined;
  const withSeverity = (a: AffectedPackage): AffectedPackage => (severity ? { ...a, severity } : a);
  if (versionOrState.startsWith('<')) {
    const status = STATES[versionOrState];
    if (!status) {
      warn(`${where}: unknown state ${versionOrState}; skipped`);
      return null;
    }
    return withSeverity({ ...base, ranges: [], status });
  }
  const problem = dpkg.check(versionOrState);
  if (problem) {
    warn(`${where}: fixed version ${JSON.stringify(versionOrState)}: ${problem}; skipped`);
    return null;
  }
  return withSeverity({ ...base, ranges: [{ fixed: versionOrState }], status: 'fixed' });
}
