/**
 * CycloneDX 1.5 JSON SBOM of the inventory: the image as the metadata component, the OS as an
 * `operating-system` component, every package as a `library` with its purl, plus the layer that
 * introduced it and its in-image path as properties. Vulnerabilities go in the BOM's
 * `vulnerabilities` list (CycloneDX VEX-style), each affecting the packages it was found in.
 */
import { randomUUID } from 'node:crypto';
import type { ScanReport } from './model.js';
import { TOOL_NAME, toolVersion } from './tool.js';

export function toCycloneDx(r: ScanReport, now = new Date()): object {
  const imageRef = `image:${r.artifact.digest || r.artifact.ref}`;
  const refOf = new Map<string, string>();
  const components: object[] = [];
  if (r.os) {
    components.push({ type: 'operating-system', 'bom-ref': `os:${r.os.family}@${r.os.version}`, name: r.os.family, version: r.os.version, description: r.os.name });
  }
  r.packages.forEach((p, i) => {
    // purls repeat when one package sits at two paths; bom-refs must be unique.
    const ref = refOf.has(p.purl) ? `${p.purl}#${i}` : p.purl;
    if (!refOf.has(p.purl)) refOf.set(p.purl, ref);
    const group = p.type === 'maven' && p.name.includes(':') ? p.name.slice(0, p.name.indexOf(':')) : undefined;
    const name = group ? p.name.slice(group.length + 1) : p.name;
    components.push({
      type: 'library',
      'bom-ref': ref,
      ...(group ? { group } : {}),
      name,
      version: p.version,
      purl: p.purl,
      properties: [
        { name: 'tarsier:package:type', value: p.type },
        { name: 'tarsier:layer:diff_id', value: p.layerDiffId },
        { name: 'tarsier:package:path', value: p.path },
        ...(p.source ? [{ name: 'tarsier:package:source', value: p.source }] : []),
        ...(p.arch ? [{ name: 'tarsier:package:arch', value: p.arch }] : []),
      ],
    });
  });
  const ratingOf = (s: string) => (s === 'unknown' ? 'unknown' : s);
  const vulnerabilities = r.vulnerabilities.map((v) => {
    const pkg = r.packages.find((p) => p.name === v.packageName && p.version === v.installedVersion && p.type === v.packageType);
    return {
      id: v.id,
      source: { name: v.source },
      ratings: [{ severity: ratingOf(v.severity), ...(v.cvssScore !== undefined ? { score: v.cvssScore, method: 'CVSSv3' } : {}) }],
      ...(v.title ? { description: v.title } : {}),
      ...(v.solution ? { recommendation: v.solution } : {}),
      ...(v.aliases.length ? { references: v.aliases.map((a) => ({ id: a, source: { name: v.source } })) } : {}),
      affects: pkg ? [{ ref: refOf.get(pkg.purl) ?? pkg.purl }] : [],
    };
  });
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: now.toISOString(),
      tools: { components: [{ type: 'application', name: TOOL_NAME, version: toolVersion() }] },
      component: {
        type: 'container',
        'bom-ref': imageRef,
        name: r.artifact.ref,
        ...(r.artifact.digest ? { version: r.artifact.digest } : {}),
        properties: [
          { name: 'tarsier:image:config_digest', value: r.artifact.configDigest },
          ...r.artifact.layers.map((l) => ({ name: 'tarsier:image:diff_id', value: l.diffId })),
        ],
      },
    },
    components,
    dependencies: [{ ref: imageRef, dependsOn: components.map((c) => (c as { 'bom-ref': string })['bom-ref']) }],
    ...(vulnerabilities.length ? { vulnerabilities } : {}),
  };
}
