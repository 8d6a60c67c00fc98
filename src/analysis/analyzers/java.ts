/**
 * Java archives (JAR, WAR, EAR, PAR and the like): Maven coordinates from every
 * `META-INF/maven/<group>/<artifact>/pom.properties`, the manifest, and nested archives
 * (`WEB-INF/lib`, `BOOT-INF/lib`, EAR modules) down to a depth limit. A stream analyzer: archives
 * can be hundreds of MiB, and only the few entries that identify packages are ever held.
 */
import { javaNotes, javaPackages } from '../lang/java/identity.js';
import { DEFAULT_ZIP_LIMITS, ZipBudget, ZipStreamReader } from '../lang/java/zip-stream.js';
import type { EntryInfo, Fact, StreamAnalyzer, StreamSink } from '../types.js';

const JAVA_ARCHIVE = /\.(?:jar|war|ear|par|sar|jpi|hpi)$/i;
/** Notes per archive in the warning, so a hostile archive cannot flood the report. */
const MAX_NOTES_SHOWN = 5;

export const javaAnalyzer: StreamAnalyzer = {
  kind: 'stream',
  name: 'java',
  version: '1',
  wants(entry: EntryInfo): boolean {
    return entry.type === 'file' && entry.size > 0 && JAVA_ARCHIVE.test(entry.path);
  },
  open(entry: EntryInfo): StreamSink {
    const reader = new ZipStreamReader(entry.path, 0, new ZipBudget(DEFAULT_ZIP_LIMITS));
    return {
      write: (chunk) => reader.write(chunk),
      end: (): Fact[] => {
        const scan = reader.finish();
        const facts: Fact[] = [];
        const packages = javaPackages(scan);
        if (packages.length > 0) facts.push({ kind: 'packages', path: entry.path, packages });
        const notes = javaNotes(scan);
        if (notes.length > 0) {
          const more = notes.length > MAX_NOTES_SHOWN ? ` (and ${notes.length - MAX_NOTES_SHOWN} more)` : '';
          facts.push({ kind: 'warning', path: entry.path, message: `${notes.slice(0, MAX_NOTES_SHOWN).join('; ')}${more}` });
        }
        return facts;
      },
    };
  },
};
