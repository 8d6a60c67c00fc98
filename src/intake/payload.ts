/**
 * The CI/CD upload: what `tarsier scan --server` sends after scanning locally. Version 1:
 *
 *   { "schema": "tarsier.cicd-upload/v1",
 *     "image": { "namespace"?, "image_name", "image_version", "enterprise_project_id"?, "reference"? },
 *     "report": <the JSON report of `tarsier scan --format json`, unfiltered>,
 *     "inventory": <the image inventory the report was made from> }
 *
 * Everything is validated before anything is stored: known fields only, bounded lengths and
 * counts, digests in sha256 form, report and inventory describing the same image, and every
 * layer a package or finding points at being one of the image's layers.
 */
import { TarsierError } from '../errors.js';
import type { Inventory } from '../analysis/inventory.js';
import type { ScanReport } from '../report/model.js';
import { arr, bool, type Check, int, json, nullable, num, obj, oneOf, record, str } from './schema.js';

export const UPLOAD_SCHEMA = 'tarsier.cicd-upload/v1';

export interface UploadImage {
  namespace?: string;
  image_name: string;
  image_version: string;
  enterprise_project_id?: string;
  /** Where the client scanned it from, for display. */
  reference?: string;
}

export interface CicdUpload {
  schema: typeof UPLOAD_SCHEMA;
  image: UploadImage;
  report: ScanReport;
  inventory: Inventory;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const digest = str(71, { pattern: DIGEST });
const PACKAGE_TYPES = ['deb', 'rpm', 'apk', 'npm', 'pypi', 'maven', 'golang', 'gem', 'nuget', 'cargo', 'composer'] as const;
const SOURCE_TYPES = ['registry', 'docker-archive', 'oci', 'oci-archive'] as const;
const SEVERITY = ['critical', 'high', 'medium', 'low'] as const;
const PATH = str(4096, { min: 1 });
const NAME = str(1024, { min: 1 });
const VERSION = str(1024);
const SHORT = str(256);
const TEXT = str(64 * 1024, { multiline: true });

/** Image names as registries write them (lower-case path components); tags as Docker does. */
const IMAGE_NAME = str(255, { min: 1, pattern: /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/ });
const IMAGE_VERSION = str(128, { min: 1, pattern: /^[\w][\w.-]{0,127}$/ });
const NAMESPACE = str(255, { pattern: /^(?:[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)?$/ });

const layer = obj({ digest, diffId: digest, size: int(0, Number.MAX_SAFE_INTEGER), createdBy: str(64 * 1024, { multiline: true }) }, ['createdBy']);
const osInfo = obj({ family: str(64, { min: 1 }), name: SHORT, version: SHORT, codename: SHORT }, ['codename']);

const image = obj(
  { namespace: NAMESPACE, image_name: IMAGE_NAME, image_version: IMAGE_VERSION, enterprise_project_id: str(256, { min: 1 }), reference: str(4096) },
  ['namespace', 'enterprise_project_id', 'reference'],
);

const report = obj({
  schemaVersion: oneOf([1]),
  artifact: obj({ ref: str(4096), type: oneOf(SOURCE_TYPES), digest, configDigest: digest, size: int(0, Number.MAX_SAFE_INTEGER), layers: arr(layer, 1000) }),
  os: nullable(obj({ family: str(64, { min: 1 }), name: SHORT, version: SHORT })),
  packages: arr(
    obj({ type: oneOf(PACKAGE_TYPES), name: NAME, version: VERSION, arch: SHORT, source: NAME, layerDiffId: digest, path: PATH, purl: str(4096) }, ['arch', 'source']),
    500_000,
  ),
  vulnerabilities: arr(
    obj(
      {
        id: str(128, { min: 1 }),
        aliases: arr(str(128), 200),
        packageName: NAME,
        packageType: oneOf(PACKAGE_TYPES),
        installedVersion: VERSION,
        fixedVersion: nullable(VERSION),
        severity: oneOf([...SEVERITY, 'unknown']),
        cvssScore: num(0, 10),
        title: str(4096, { multiline: true }),
        source: SHORT,
        layerDiffId: str(71),
        status: str(64),
        solution: TEXT,
      },
      ['cvssScore', 'title', 'status', 'solution'],
    ),
    1_000_000,
  ),
  sensitive: arr(
    obj(
      {
        key: str(128, { min: 1 }),
        name: SHORT,
        severity: oneOf(SEVERITY),
        path: PATH,
        layerDigest: digest,
        md5: str(32, { pattern: /^[0-9a-f]{32}$/ }),
        masked: str(4096, { multiline: true }),
        description: TEXT,
        advice: TEXT,
        line: int(0, 2 ** 31),
        visible: bool,
      },
      ['line', 'visible'],
    ),
    100_000,
  ),
  baseline: arr(
    obj(
      {
        checkName: SHORT,
        standard: SHORT,
        checkType: SHORT,
        checkRuleNum: int(0, 100_000),
        failedRuleNum: int(0, 100_000),
        severity: oneOf([...SEVERITY, 'security']),
        checkTypeDesc: TEXT,
        rules: arr(
          obj(
            {
              id: str(128, { min: 1 }),
              title: str(1024),
              severity: oneOf(SEVERITY),
              status: oneOf(['passed', 'failed']),
              evidence: arr(obj({ file: PATH, line: int(0, 2 ** 31), currentValue: str(4096, { multiline: true }), suggestedValue: str(4096, { multiline: true }) }, ['file', 'line', 'currentValue', 'suggestedValue']), 100),
            },
            ['evidence'],
          ),
          10_000,
        ),
      },
      ['checkTypeDesc'],
    ),
    1000,
  ),
  buildRisks: arr(
    obj({ ruleId: str(128, { min: 1 }), name: SHORT, severity: oneOf(SEVERITY), buildInstruction: TEXT, remediation: TEXT, layerDiffId: digest }, ['layerDiffId']),
    10_000,
  ),
});

const inventory = obj({
  artifact: obj({
    ref: str(4096),
    type: oneOf(SOURCE_TYPES),
    digest,
    configDigest: digest,
    size: int(0, Number.MAX_SAFE_INTEGER),
    layers: arr(layer, 1000),
    platform: str(64, { min: 3, pattern: /^[a-z0-9._-]+\/[a-z0-9._-]+(?:\/[a-z0-9._-]+)?$/ }),
  }),
  os: nullable(osInfo),
  packages: arr(
    obj(
      {
        type: oneOf(PACKAGE_TYPES),
        name: NAME,
        version: VERSION,
        epoch: int(0, 2 ** 31),
        upstreamVersion: VERSION,
        release: VERSION,
        arch: SHORT,
        source: NAME,
        sourceVersion: VERSION,
        group: NAME,
        licenses: arr(str(1024), 100),
        modularityLabel: str(1024),
        evidence: oneOf(['manifest', 'file-name']),
        path: PATH,
        purl: str(4096),
        layerDiffId: digest,
      },
      ['epoch', 'upstreamVersion', 'release', 'arch', 'source', 'sourceVersion', 'group', 'licenses', 'modularityLabel', 'evidence'],
    ),
    500_000,
  ),
  files: record(
    obj({
      kind: oneOf(['file']),
      path: PATH,
      mode: int(0, 0o7777777),
      uid: int(0, 2 ** 32),
      gid: int(0, 2 ** 32),
      size: int(0, Number.MAX_SAFE_INTEGER),
      content: str(4 * 1024 * 1024, { multiline: true }),
      encoding: oneOf(['utf8', 'base64']),
      truncated: bool,
      layerDiffId: digest,
    }),
    50_000,
    PATH,
  ),
  symlinks: record(str(4096), 1_000_000, PATH),
  specialModes: arr(obj({ path: PATH, mode: int(0, 0o7777777), uid: int(0, 2 ** 32), type: oneOf(['file', 'dir', 'symlink', 'hardlink', 'other']), layerDiffId: digest }), 1_000_000),
  sensitive: arr(
    obj(
      {
        kind: oneOf(['sensitive']),
        path: PATH,
        key: str(128, { min: 1 }),
        severity: oneOf(SEVERITY),
        md5: str(32, { pattern: /^[0-9a-f]{32}$/ }),
        line: int(0, 2 ** 31),
        masked: str(4096, { multiline: true }),
        detail: str(1024),
        rule: str(128),
        layerDigest: digest,
        layerDiffId: digest,
        visible: bool,
      },
      ['line', 'detail', 'rule'],
    ),
    100_000,
  ),
  // The image config is stored as the image carried it: any JSON, bounded.
  config: json(8, 10_000, 64 * 1024),
  history: arr(obj({ created: str(64), created_by: str(64 * 1024, { multiline: true }), author: str(1024), comment: str(64 * 1024, { multiline: true }), empty_layer: bool }, ['created', 'created_by', 'author', 'comment', 'empty_layer']), 10_000),
  warnings: arr(str(4096, { multiline: true }), 10_000),
});

const upload: Check<unknown> = obj({ schema: oneOf([UPLOAD_SCHEMA]), image, report, inventory });

function consistency(u: CicdUpload): void {
  const inv = u.inventory;
  const rep = u.report;
  const bad = (what: string): never => {
    throw new TarsierError('input', `upload: ${what}`);
  };
  if (rep.artifact.digest !== inv.artifact.digest) bad('report.artifact.digest differs from inventory.artifact.digest: they must describe one image');
  if (rep.artifact.configDigest !== inv.artifact.configDigest) bad('report.artifact.configDigest differs from inventory.artifact.configDigest');
  const diffIds = new Set(inv.artifact.layers.map((l) => l.diffId));
  const layerDigests = new Set(inv.artifact.layers.map((l) => l.digest));
  if (rep.artifact.layers.length !== inv.artifact.layers.length || rep.artifact.layers.some((l) => !diffIds.has(l.diffId))) bad('report.artifact.layers differ from inventory.artifact.layers');
  inv.packages.forEach((p, i) => diffIds.has(p.layerDiffId) || bad(`inventory.packages[${i}].layerDiffId is not a layer of the image`));
  rep.packages.forEach((p, i) => diffIds.has(p.layerDiffId) || bad(`report.packages[${i}].layerDiffId is not a layer of the image`));
  rep.vulnerabilities.forEach((v, i) => v.layerDiffId === '' || diffIds.has(v.layerDiffId) || bad(`report.vulnerabilities[${i}].layerDiffId is not a layer of the image`));
  rep.sensitive.forEach((s, i) => layerDigests.has(s.layerDigest) || bad(`report.sensitive[${i}].layerDigest is not a layer of the image`));
  rep.buildRisks.forEach((b, i) => b.layerDiffId === undefined || diffIds.has(b.layerDiffId) || bad(`report.buildRisks[${i}].layerDiffId is not a layer of the image`));
}

/** Checks a parsed upload body; throws a TarsierError('input') naming the first problem. */
export function validateUpload(body: unknown): CicdUpload {
  upload(body, 'body');
  const u = body as CicdUpload;
  consistency(u);
  return u;
}
