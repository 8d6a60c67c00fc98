/** `tarsier scan [flags] REF`: analyse one image and write a report. */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { DEFAULT_LIMITS } from '../analysis/image-head.js';
import { cacheMaxBytes, CACHE_MAX_SIZE_ENV, defaultCacheDir, LayerCache } from '../analysis/layer-cache.js';
import { defaultAnalyzers } from '../analysis/analyzers/index.js';
import { createSensitiveAnalyzer } from '../analysis/analyzers/sensitive.js';
import { DEFAULT_SECRET_CONFIG, DEFAULT_SECRET_IGNORE, loadSecretOptions, secretRuleSet } from '../detect/sensitive/config-file.js';
import { scanSource } from '../scan/pipeline.js';
import { defaultDataDir } from '../store/data-dir.js';
import { advisoryAccess } from '../vulndb/cli-access.js';
import { openImage } from '../image/open-image.js';
import { TarsierError } from '../errors.js';
import type { Inventory } from '../analysis/inventory.js';
import { toCycloneDx } from '../report/cyclonedx.js';
import { buildReport, filterBySeverity, hasFindings, SEVERITIES, type ScanReport } from '../report/model.js';
import { toSarif } from '../report/sarif.js';
import { renderReportTable } from '../report/table.js';
import { parseChoice, parseIntOption, parseList, parseSize } from './options.js';
import { TtyProgress } from './progress.js';

const FORMATS = ['table', 'json', 'cyclonedx', 'sarif'] as const;
type Format = (typeof FORMATS)[number];
const SEVERITY_CHOICES = [...SEVERITIES, 'unknown'] as const;

interface ScanFlags {
  format: string;
  output?: string;
  platform: string;
  insecure?: boolean;
  username?: string;
  password?: string;
  cacheDir?: string;
  cache: boolean;
  cacheMaxSize?: string;
  dataDir?: string;
  severity?: string;
  exitCode: string;
  ignoreUnfixed?: boolean;
  maxImageSize?: string;
  maxLayerSize?: string;
  maxEntries?: string;
  quiet?: boolean;
  server?: string;
  token?: string;
  secretConfig?: string;
  secretIgnorefile?: string;
  skipSecretPaths?: string[];
}

export function registerScan(program: Command, run: (fn: () => Promise<number>) => void): void {
  program
    .command('scan')
    .description('scan an image: registry reference, docker-archive:PATH, oci:DIR[:TAG], oci-archive:PATH[:TAG], or a path')
    .argument('<image>', 'image reference or path')
    .option('-f, --format <format>', `report format: ${FORMATS.join('|')}`, 'table')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-platform image', 'linux/amd64')
    .option('--insecure', 'allow plain HTTP and unverified TLS for the registry')
    .option('--username <user>', 'registry username (or TARSIER_USERNAME, or ~/.docker/config.json)')
    .option('--password <password>', 'registry password (or TARSIER_PASSWORD)')
    .option('--cache-dir <dir>', 'layer cache directory', defaultCacheDir())
    .option('--no-cache', 'do not read or write the layer cache')
    .option('--cache-max-size <size>', `bound of the cache directory, least recently used entries pruned first; "unlimited" never prunes (default ${CACHE_MAX_SIZE_ENV} or 2GiB)`)
    .option('--data-dir <dir>', 'where the advisory database lives (or DATABASE_URL)', defaultDataDir())
    .option('--severity <list>', `report only these severities (comma list of ${SEVERITY_CHOICES.join(',')})`)
    .option('--exit-code <n>', 'exit with this code when findings remain after filtering', '0')
    .option('--ignore-unfixed', 'hide vulnerabilities that have no fixed version')
    .option('--max-image-size <size>', 'refuse images larger than this, uncompressed', '32GiB')
    .option('--max-layer-size <size>', 'refuse layers larger than this, uncompressed', '16GiB')
    .option('--max-entries <n>', 'refuse layers with more tar entries than this', String(DEFAULT_LIMITS.maxEntries))
    .option('-q, --quiet', 'no progress output')
    .option('--server <url>', 'also upload the result to this Tarsier server, as a cicd image of the token\'s project')
    .option('--token <token>', 'API token for --server (or TARSIER_TOKEN)')
    .option('--secret-config <file>', `secret scanning config: custom rules, disabled keys/rules, path whitelist, allowed values (default ./${DEFAULT_SECRET_CONFIG} when present)`)
    .option('--secret-ignorefile <file>', `secret findings to ignore: path globs, KEY:glob, md5:HASH per line (default ./${DEFAULT_SECRET_IGNORE} when present)`)
    .option('--skip-secret-paths <globs>', 'comma list of in-image path globs never scanned for secrets (repeatable)', (v: string, prev: string[]) => [...prev, ...v.split(',')], [])
    .action((image: string, flags: ScanFlags) => run(() => scanCommand(image, flags)));
}

export async function scanCommand(image: string, flags: ScanFlags): Promise<number> {
  const format: Format = parseChoice('--format', flags.format, FORMATS);
  const exitCode = parseIntOption('--exit-code', flags.exitCode, 0, 255);
  const severities = flags.severity ? new Set<string>(parseList('--severity', flags.severity, SEVERITY_CHOICES)) : null;
  const limits = {
    maxImageBytes: parseSize('--max-image-size', flags.maxImageSize ?? '32GiB'),
    maxLayerBytes: parseSize('--max-layer-size', flags.maxLayerSize ?? '16GiB'),
    maxEntries: parseIntOption('--max-entries', flags.maxEntries ?? String(DEFAULT_LIMITS.maxEntries), 1, 100_000_000),
  };
  const maxBytes = cacheMaxBytes(flags.cacheMaxSize);
  const token = flags.token ?? process.env.TARSIER_TOKEN;
  if (flags.server !== undefined && !token) throw new TarsierError('usage', '--server needs an API token: --token or TARSIER_TOKEN');
  if (flags.server === undefined && flags.token !== undefined) throw new TarsierError('usage', '--token is only used with --server');
  // Progress only for a person watching: stderr is a terminal, not CI, and stdout is not a machine format.
  const showProgress = !flags.quiet && process.stderr.isTTY === true && !process.env.CI && (format === 'table' || flags.output !== undefined);
  const progress = showProgress ? new TtyProgress(process.stderr, image) : undefined;
  const secretFlags = { config: flags.secretConfig, ignoreFile: flags.secretIgnorefile, allowPaths: flags.skipSecretPaths };
  // Only a user rule set is compiled up front (its mistakes are usage errors); the built-in rules
  // compile on first use, which a scan answered from the result cache never reaches.
  const sensitiveRules = Object.keys(loadSecretOptions(secretFlags).options).length > 0 ? secretRuleSet(secretFlags) : undefined;
  const source = await openImage(image, {
    platform: flags.platform,
    insecure: flags.insecure,
    username: flags.username,
    password: flags.password,
    maxImageBytes: limits.maxImageBytes,
  });
  const warn = (m: string) => {
    if (!flags.quiet) {
      progress?.clear();
      process.stderr.write(`warning: ${m}\n`);
    }
  };
  const advisories = advisoryAccess({ dataDir: flags.dataDir ?? defaultDataDir(), warn });
  let report: ScanReport;
  let inventory: Inventory;
  try {
    const outcome = await scanSource(source, {
      analyzers: sensitiveRules ? [...defaultAnalyzers().filter((a) => a.name !== 'sensitive'), createSensitiveAnalyzer(sensitiveRules)] : defaultAnalyzers(),
      detect: { ignoreUnfixed: flags.ignoreUnfixed === true, advisories: advisories.loader, onWarning: warn, sensitiveRules },
      cache: flags.cache ? new LayerCache(flags.cacheDir ?? defaultCacheDir(), { maxBytes }) : null,
      limits,
      platform: flags.platform,
      progress,
      onWarning: warn,
    });
    inventory = outcome.inventory;
    report = buildReport(inventory, outcome.findings);
  } finally {
    progress?.clear();
    await source.close();
    await advisories.close();
  }
  // The server gets the whole result; filters only shape what is printed here.
  const fullReport = report;
  if (severities) report = filterBySeverity(report, severities);
  const text = render(report, format, process.stdout.columns && !flags.output ? process.stdout.columns : 80);
  if (flags.output) await writeFile(flags.output, text);
  else process.stdout.write(text);
  if (flags.server !== undefined && token) {
    // Loaded only for uploads: the HTTP client and payload schema cost a cached scan more than its work.
    const { uploadIdentity, uploadScanResult } = await import('../intake/upload.js');
    const uploaded = await uploadScanResult({ server: flags.server, token, image: await uploadIdentity(image), report: fullReport, inventory });
    if (!flags.quiet) process.stderr.write(`uploaded to ${flags.server} as cicd image ${uploaded.image_id}\n`);
  }
  return exitCode !== 0 && hasFindings(report) ? exitCode : 0;
}

function render(report: ScanReport, format: Format, width: number): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'cyclonedx':
      return `${JSON.stringify(toCycloneDx(report), null, 2)}\n`;
    case 'sarif':
      return `${JSON.stringify(toSarif(report), null, 2)}\n`;
    case 'table':
      return renderReportTable(report, width);
  }
}
