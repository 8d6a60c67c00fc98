/**
 * `tarsier db import` and `db status` as a user runs them, on the bundled snapshot and on the real
 * feeds in ../shared/data/vulndb: every feed format recognised from its content (folders of
 * records, single files, a per-ecosystem zip, the tracker JSON export), record counts that match
 * what the feeds' SOURCES.md says they hold, a file that is no feed refused by name without
 * stopping the others (exit 1), and the status listing in text and JSON.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFeed } from '../../src/vulndb/read-feed.js';
import { dataDir, SHARED_VULNDB, SNAPSHOT, tarsier, type CliRun, type ImportJson, type StatusJson } from './db-cli.js';

const hasData = existsSync(join(SHARED_VULNDB, 'SOURCES.md'));
const feed = (rel: string) => join(SHARED_VULNDB, rel);

async function countRead(target: string): Promise<number> {
  let n = 0;
  for await (const a of readFeed(target)) if (!a.withdrawn) n++;
  return n;
}

/** The tracker JSON export's documented shape: { srcpkg: { CVE: { releases: { codename: … } } } }. */
const TRACKER_DOC = {
  openssl: {
    'CVE-2023-0286': { description: 'X.400 address type confusion', releases: { bullseye: { status: 'resolved', fixed_version: '1.1.1t-0+deb11u1', urgency: 'high' } } },
    'CVE-2007-5536': { releases: { bookworm: { status: 'resolved', fixed_version: '0', urgency: 'unimportant' } } },
  },
  tar: { 'CVE-2005-2541': { releases: { bookworm: { status: 'open', urgency: 'unimportant', nodsa_reason: 'ignored' } } } },
};

describe.skipIf(!hasData)('tarsier db import / status', () => {
  let db: Awaited<ReturnType<typeof dataDir>>;
  let work: string;
  let run: CliRun;
  let result: ImportJson;
  const files: Record<string, string> = {};

  beforeAll(async () => {
    db = await dataDir();
    work = await mkdtemp(join(tmpdir(), 'tarsier-db-import-'));
    // The Go records as the per-ecosystem zip osv.dev publishes (flat members, one record each).
    files.zip = join(work, 'Go-all.zip');
    execFileSync('zip', ['-q', '-j', files.zip, ...readdirSync(feed('go-vulndb/data/osv')).map((f) => feed(`go-vulndb/data/osv/${f}`))]);
    files.tracker = join(work, 'tracker.json');
    await writeFile(files.tracker, JSON.stringify(TRACKER_DOC));
    files.secdb = feed('alpine-secdb/v3.3/main.json');
    files.dla = feed('debian-security-tracker/data/DLA/list');
    files.usn = feed('ubuntu-osv/osv/usn/USN-5380-1.json');
    files.yaml = feed('pypa-advisory-db/vulns/flask/PYSEC-2018-66.yaml');
    files.notFeed = feed('SOURCES.md');
    const folders = ['alpine-secdb', 'ubuntu-osv', 'almalinux-osv', 'pypa-advisory-db', 'go-vulndb', 'debian-security-tracker'].map(feed);
    run = await tarsier(['db', 'import', '--json', '--data-dir', db.dir, SNAPSHOT, ...folders, ...Object.values(files)]);
    result = JSON.parse(run.stdout) as ImportJson;
  }, 180_000);

  afterAll(async () => {
    await db?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const outcome = (target: string) => {
    const found = result.sources.find((s) => s.source === `path:${target}`);
    expect(found, target).toBeDefined();
    return found!;
  };

  it('imports the bundled snapshot with the record count its SOURCES.md states', () => {
    // "Read back with the project's readers: 7961 advisories (…)": none of them is withdrawn.
    const stated = Number(/Read back with the project's readers: (\d+) advisories/.exec(readFileSync(join(SNAPSHOT, 'SOURCES.md'), 'utf8'))?.[1]);
    expect(stated).toBeGreaterThan(7000);
    expect(outcome(SNAPSHOT)).toEqual({ source: `path:${SNAPSHOT}`, records: stated, warnings: 0 });
  });

  it('imports each real feed folder whole (counts from the feeds\' SOURCES.md)', async () => {
    // 6 USNs; DSA 5,406 + DLA 3,534 advisories.
    expect(outcome(feed('ubuntu-osv')).records).toBe(6);
    expect(outcome(feed('debian-security-tracker')).records).toBe(5406 + 3534);
    // 2,661 PyPA advisories, less the withdrawn ones (they match nothing and are not stored).
    const pypa = readdirSync(feed('pypa-advisory-db/vulns'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(pypa).toHaveLength(2661);
    const pypaWithdrawn = pypa.filter((e) => /^withdrawn:/m.test(readFileSync(join(e.parentPath, e.name), 'utf8'))).length;
    expect(pypaWithdrawn).toBeGreaterThan(0);
    expect(outcome(feed('pypa-advisory-db')).records).toBe(2661 - pypaWithdrawn);
    // 543 Go records, of which those carrying "withdrawn" match nothing and are not stored.
    const goFiles = readdirSync(feed('go-vulndb/data/osv'));
    const withdrawn = goFiles.filter((f) => /"withdrawn"\s*:/.test(readFileSync(feed(`go-vulndb/data/osv/${f}`), 'utf8'))).length;
    expect(goFiles.length).toBe(543);
    expect(withdrawn).toBeGreaterThan(0);
    expect(outcome(feed('go-vulndb')).records).toBe(543 - withdrawn);
    // 384 AlmaLinux errata, of which only the security advisories (ALSA) are vulnerabilities;
    // bug-fix (ALBA) and enhancement (ALEA) errata fix none.
    const alma = ['8', '9', '10'].flatMap((r) => readdirSync(feed(`almalinux-osv/advisories/almalinux${r}`)));
    expect(alma.length).toBe(384);
    expect(outcome(feed('almalinux-osv')).records).toBe(alma.filter((f) => f.startsWith('ALSA-')).length);
    // Alpine secdb: one advisory per issue per branch file; the CLI stores what the reader reads.
    expect(outcome(feed('alpine-secdb')).records).toBe(await countRead(feed('alpine-secdb')));
    expect(outcome(feed('alpine-secdb')).records).toBeGreaterThan(27_291 / 2);
    // Malformed entries inside good files are skipped with a warning naming file and entry (e.g.
    // Alpine's "1.11-20-r0", no apk version); each source counts exactly its own warnings.
    const warnings = run.stderr.split('\n').filter(Boolean);
    expect(warnings.every((w) => /^warning: \/.+: .+; (?:entry )?skipped$/.test(w)), run.stderr).toBe(true);
    for (const s of result.sources.filter((o) => !o.error)) {
      const own = warnings.filter((w) => w.startsWith(`warning: ${s.source.slice('path:'.length)}`)).length;
      expect(s.warnings, s.source).toBe(own);
    }
    expect(outcome(feed('ubuntu-osv')).warnings).toBe(0);
    expect(outcome(feed('alpine-secdb')).warnings).toBeGreaterThan(0);
  });

  it('recognises single files of every format, and refuses a file that is no feed without stopping the others', async () => {
    expect(run.code, run.stderr).toBe(1);
    expect(outcome(files.notFeed!).error).toMatch(/SOURCES\.md: not a recognised advisory feed/);
    expect(result.sources.filter((s) => s.error)).toHaveLength(1);
    expect(outcome(files.usn!).records).toBe(1);
    expect(outcome(files.yaml!).records).toBe(1);
    expect(outcome(files.dla!).records).toBe(3534);
    expect(outcome(files.secdb!).records).toBe(await countRead(files.secdb!));
    expect(outcome(files.zip!).records).toBe(outcome(feed('go-vulndb')).records);
    expect(outcome(files.tracker!).records).toBe(3);
    expect(result.rematched).toEqual({ manifests: 0, findings: 0 });
  });

  it('db status lists every source with its format, count and update time, in text and JSON', async () => {
    const json = await tarsier(['db', 'status', '--json', '--data-dir', db.dir]);
    expect(json.code, json.stderr).toBe(0);
    const status = JSON.parse(json.stdout) as StatusJson;
    const format = (target: string) => status.sources.find((s) => s.id === `path:${target}`)?.format;
    expect(format(files.secdb!)).toBe('alpine-secdb');
    expect(format(files.dla!)).toBe('debian-list');
    expect(format(files.usn!)).toBe('osv');
    expect(format(files.yaml!)).toBe('osv');
    expect(format(files.zip!)).toBe('osv-zip');
    expect(format(files.tracker!)).toBe('debian-tracker-json');
    expect(format(SNAPSHOT)).toBe('folder');
    expect(status.sources.some((s) => s.id === `path:${files.notFeed}`)).toBe(false);
    const imported = result.sources.filter((s) => s.records !== undefined);
    expect(status.sources).toHaveLength(imported.length);
    for (const s of status.sources) {
      expect(s.records, s.id).toBe(imported.find((o) => o.source === s.id)?.records);
      expect(Date.now() - s.updatedAt).toBeLessThan(10 * 60_000);
    }

    const text = await tarsier(['db', 'status', '--data-dir', db.dir]);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.trim().split('\n');
    // the sources, the total, and the state of re-matching (the import ran it here, on the embedded database)
    expect(lines).toHaveLength(status.sources.length + 2);
    expect(lines.at(-1)).toMatch(/^re-match: done \S+ \(job \d+\): 0 stored image\(s\), 0 changed; up to date$/);
    expect(lines).toContain(`path:${files.dla}\tdebian-list\t3534 advisories\tupdated ${new Date(status.sources.find((s) => s.id === `path:${files.dla}`)!.updatedAt).toISOString()}`);
    const total = status.sources.reduce((n, s) => n + s.records, 0);
    expect(lines.at(-2)).toBe(`total: ${total} advisories in ${status.sources.length} source(s)`);
  });
});

describe('tarsier db status on an empty database', () => {
  it('says how to fill it', async () => {
    const db = await dataDir();
    try {
      const run = await tarsier(['db', 'status', '--data-dir', db.dir]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe('no advisory sources: run `tarsier db import PATH` or `tarsier db update`\n');
    } finally {
      await db.dispose();
    }
  });
});
