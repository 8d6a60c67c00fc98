/**
 * The main section of a jar's `META-INF/MANIFEST.MF` (JAR File Specification): UTF-8 `Name: value`
 * lines wrapped at 72 bytes, each continuation line starting with one space that is not part of
 * the value; the main section ends at the first blank line (per-entry sections follow).
 */
export function parseManifestMainSection(content: Buffer): Map<string, string> {
  const attrs = new Map<string, string>();
  let lastKey: string | null = null;
  for (const line of content.toString('utf8').replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    if (line === '') break;
    if (line.startsWith(' ')) {
      if (lastKey !== null) attrs.set(lastKey, (attrs.get(lastKey) as string) + line.slice(1));
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      lastKey = null;
      continue;
    }
    lastKey = line.slice(0, colon).trim().toLowerCase();
    attrs.set(lastKey, line.slice(colon + 1).trim());
  }
  for (const [k, v] of attrs) attrs.set(k, v.trim());
  return attrs;
}
