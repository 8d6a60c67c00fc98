/** BCR-015..BCR-022: supply chain and integrity. */
import { globFiles } from '../../baseline/fs-glob.js';
import { isRootfsAdd } from '../history.js';
import { unpinnedPackages } from '../packages.js';
import { commandWords, parseShell, programOf } from '../shell.js';
import type { BuildRule, Hit } from '../types.js';
import { commandsOf, hitsByLayer, packageCommandsOf, runHit, runSteps } from './common.js';
// BCR-021 lives alone so the pipeline's signature check loads it without the other rules.
import { bcr021 } from './signature.js';

const DOWNLOADERS = new Set(['curl', 'wget', 'fetch']);
const INTERPRETER = /^(?:sh|bash|zsh|dash|ash|ksh|python[0-9.]*|perl|ruby|node|php)$/;
/** `bash <(curl …)` and `sh -c "$(curl …)"`: the download runs without a visible pipe. */
const SUBSTITUTED_DOWNLOAD = /\b(?:ba|z|k|da)?sh\s+(?:-c\s+)?["']?(?:<|\$)\(\s*(?:curl|wget)\b/;

const bcr015: BuildRule = {
  id: 'BCR-015',
  name: 'Remote script piped into a shell',
  severity: 'high',
  references: [],
  description: 'A RUN downloads a script and executes it directly (`curl … | sh`, `wget -O- … | bash`, `bash <(curl …)`): whatever the server returns at build time runs as the build user, unverified.',
  remediation: 'Download to a file, verify a pinned SHA-256 or signature (`echo "<sha256>  file" | sha256sum -c -`), then execute it; prefer distribution packages.',
  evaluate(ctx) {
    const hits: Hit[] = [];
    for (const step of runSteps(ctx)) {
      const text = step.command ?? '';
      const piped = parseShell(text).find((pipeline) => {
        const firstDownload = pipeline.findIndex((c) => DOWNLOADERS.has(programOf(commandWords(c))));
        return firstDownload !== -1 && pipeline.slice(firstDownload + 1).some((c) => INTERPRETER.test(programOf(commandWords(c))));
      });
      if (piped) hits.push(runHit(step, piped.map((c) => c.raw).join(' | ')));
      else if (SUBSTITUTED_DOWNLOAD.test(text)) hits.push(runHit(step, SUBSTITUTED_DOWNLOAD.exec(text)?.[0] ?? ''));
    }
    return hits;
  },
};

/** Environment settings that turn transport verification off. */
const INSECURE_ENV: Array<[RegExp, string]> = [
  [/^GIT_SSL_NO_VERIFY=(?:1|true|yes)$/i, 'GIT_SSL_NO_VERIFY'],
  [/^PYTHONHTTPSVERIFY=0$/, 'PYTHONHTTPSVERIFY=0'],
  [/^NODE_TLS_REJECT_UNAUTHORIZED=0$/, 'NODE_TLS_REJECT_UNAUTHORIZED=0'],
  [/^GOINSECURE=\S/, 'GOINSECURE'],
  [/^GOFLAGS=.*-insecure/, 'GOFLAGS=-insecure'],
  [/^GONOSUMDB=\S/, 'GONOSUMDB'],
  [/^GONOSUMCHECK=\S/, 'GONOSUMCHECK'],
  [/^GOSUMDB=off$/, 'GOSUMDB=off'],
  [/^(?:NPM_CONFIG_STRICT_SSL|npm_config_strict_ssl)=false$/, 'npm strict-ssl=false'],
  [/^PIP_TRUSTED_HOST=\S/, 'PIP_TRUSTED_HOST'],
  [/^(?:PIP_INDEX_URL|PIP_EXTRA_INDEX_URL)=http:\/\//, 'pip index over http'],
  [/^CURL_CA_BUNDLE=$/, 'CURL_CA_BUNDLE='],
];

function insecureCommand(words: string[]): string | null {
  const prog = programOf(words);
  const args = words.slice(1);
  if (prog === 'curl' && args.some((w) => w === '--insecure' || /^-[a-zA-Z]*k[a-zA-Z]*$/.test(w))) return 'curl -k';
  if (prog === 'wget' && args.includes('--no-check-certificate')) return 'wget --no-check-certificate';
  if (prog === 'git' && args.some((w, i) => /^http\.sslVerify=(?:false|0)$/i.test(w) || (/^http\.sslverify$/i.test(w) && /^(?:false|0)$/i.test(args[i + 1] ?? '')))) return 'git http.sslVerify=false';
  if ((prog === 'npm' || prog === 'yarn' || prog === 'pnpm') && args[0] === 'config' && args[1] === 'set' && /^strict-ssl$/.test(args[2] ?? '') && args[3] === 'false') return `${prog} strict-ssl false`;
  if (/^pip[0-9.]*$/.test(prog) || (/^python[0-9.]*$/.test(prog) && args[1]?.startsWith('pip'))) {
    if (args.includes('--trusted-host')) return 'pip --trusted-host';
    const idx = args.findIndex((w) => w === '--index-url' || w === '-i' || w === '--extra-index-url');
    if ((idx !== -1 && (args[idx + 1] ?? '').startsWith('http://')) || args.some((w) => /^--(?:extra-)?index-url=http:\/\//.test(w))) return 'pip index over http';
  }
  if (prog === 'go' && args.some((w) => w === '-insecure')) return 'go -insecure';
  for (const w of words) for (const [re, label] of INSECURE_ENV) if (re.test(w)) return label;
  return null;
}

const bcr016: BuildRule = {
  id: 'BCR-016',
  name: 'TLS/transport verification disabled',
  severity: 'medium',
  references: [],
  description: 'A RUN or config.Env turns off certificate or checksum verification (curl -k, wget --no-check-certificate, git http.sslVerify=false, npm strict-ssl false, pip --trusted-host or http indexes, NODE_TLS_REJECT_UNAUTHORIZED=0, GOSUMDB=off…). High when set in config.Env, where it also weakens the running container.',
  remediation: 'Install the internal CA into the trust store instead of disabling verification; use HTTPS indexes.',
  evaluate(ctx) {
    const hits: Hit[] = [];
    for (const step of runSteps(ctx)) {
      for (const cmd of commandsOf(step)) {
        const label = insecureCommand(cmd.words);
        if (label) {
          hits.push(runHit(step, cmd.raw, [label]));
          break;
        }
      }
    }
    for (const env of ctx.config.Env ?? []) {
      const match = INSECURE_ENV.find(([re]) => re.test(env));
      if (!match) continue;
      const name = env.slice(0, env.indexOf('='));
      const step = [...ctx.steps].reverse().find((s) => s.instruction === 'ENV' && s.args.includes(name)) ?? null;
      hits.push({ step, instruction: step ? step.text : `ENV ${env}`, fragment: name, evidence: [match[1]], severity: 'high' });
    }
    return hits;
  },
};

function unsignedInstall(words: string[]): string | null {
  const prog = programOf(words);
  const args = words.slice(1);
  if ((prog === 'apt-get' || prog === 'apt' || prog === 'aptitude') && args.some((w, i) => w === '--allow-unauthenticated' || w === '--force-yes' || /AllowInsecureRepositories=(?:true|1|yes)|AllowUnauthenticated=(?:true|1|yes)/i.test(w) || (w === '-o' && /Allow(?:InsecureRepositories|Unauthenticated)=(?:true|1|yes)/i.test(args[i + 1] ?? ''))))
    return `${prog} without signature check`;
  if (prog === 'apk' && args.includes('--allow-untrusted')) return 'apk --allow-untrusted';
  if (['yum', 'dnf', 'microdnf', 'tdnf'].includes(prog) && args.some((w) => w === '--nogpgcheck' || /^--setopt=.*gpgcheck=(?:0|false)$/.test(w))) return `${prog} --nogpgcheck`;
  if (prog === 'rpm' && args.some((w) => w === '--nosignature' || w === '--nodigest')) return 'rpm --nosignature';
  if (prog === 'zypper' && args.some((w) => w === '--no-gpg-checks' || w === '--gpg-auto-import-keys')) return 'zypper --no-gpg-checks';
  if (prog === 'pip' && args.includes('--no-verify')) return 'pip --no-verify';
  return null;
}

const bcr017: BuildRule = {
  id: 'BCR-017',
  name: 'Package signature verification disabled',
  severity: 'high',
  references: ['CIS Docker 4.11', 'openEuler 1.2.6'],
  description: 'Packages are installed without signature checks: RUN options (apt --allow-unauthenticated/--force-yes, apk --allow-untrusted, yum/dnf --nogpgcheck, rpm --nosignature, zypper --no-gpg-checks) or repository files (`[trusted=yes]` in sources.list, `gpgcheck=0` in yum/dnf configuration).',
  remediation: 'Import the repository key and keep signature checking on (remove `[trusted=yes]` / set `gpgcheck=1`).',
  evaluate(ctx) {
    const hits: Hit[] = [];
    for (const step of runSteps(ctx)) {
      for (const cmd of commandsOf(step)) {
        const label = unsignedInstall(commandWords(cmd));
        if (label) {
          hits.push(runHit(step, cmd.raw, [label]));
          break;
        }
      }
    }
    const repoFiles = [
      '/etc/apt/sources.list',
      ...globFiles(ctx.fs, ctx.inventory, '/etc/apt/sources.list.d/*'),
      '/etc/yum.conf',
      '/etc/dnf/dnf.conf',
      ...globFiles(ctx.fs, ctx.inventory, '/etc/yum.repos.d/*.repo'),
    ];
    const items: Array<{ layerDiffId?: string; evidence: string }> = [];
    for (const path of repoFiles) {
      const text = ctx.fs.read(path);
      if (!text) continue;
      text.split('\n').forEach((line, i) => {
        const l = line.trim();
        if (l.startsWith('#')) return;
        if (/\[[^\]]*\btrusted=yes\b[^\]]*\]/.test(l) || /^gpgcheck\s*=\s*(?:0|false|no)\s*$/i.test(l) || /^Trusted:\s*yes$/i.test(l)) items.push({ layerDiffId: ctx.fs.file(path)?.layerDiffId, evidence: `${path}:${i + 1}: ${l}` });
      });
    }
    const covered = new Set(hits.map((h) => h.step?.layerDiffId));
    return [...hits, ...hitsByLayer(ctx, items.filter((x) => !covered.has(x.layerDiffId)), true)];
  },
};

const bcr018: BuildRule = {
  id: 'BCR-018',
  name: 'ADD used where COPY suffices',
  severity: 'low',
  references: ['CIS-DI-0009', 'DL3020', 'DS-0005', 'CIS Docker 4.9'],
  description: 'ADD auto-extracts archives and fetches URLs, which COPY never does; for local files COPY states the intent and avoids surprises. The base image\'s root-filesystem ADD and steps of the base image are not counted.',
  remediation: 'Use `COPY` for local files; use `ADD` only to auto-extract a local tarball you trust.',
  evaluate(ctx) {
    const adds = ctx.steps.filter((s) => s.instruction === 'ADD');
    const first = ctx.steps.find((s) => !s.emptyLayer);
    return adds.filter((s) => !s.inherited && !(s === first && isRootfsAdd(s.raw))).map((s) => runHit(s, 'ADD'));
  },
};

const bcr019: BuildRule = {
  id: 'BCR-019',
  name: 'ADD from a remote URL without checksum',
  severity: 'medium',
  references: [],
  description: 'A BuildKit `ADD https://…` or git source without `--checksum=sha256:` takes whatever the server returns at build time (classic builds record only a content hash, so this is BuildKit-only).',
  remediation: 'Pin the content: `ADD --checksum=sha256:<digest> <url> <dst>`, or download and verify in a RUN.',
  evaluate(ctx) {
    return ctx.steps
      .filter((s) => s.instruction === 'ADD' && s.producer === 'buildkit' && /(?:^|\s)(?:https?:\/\/|git@|git:\/\/)\S+/.test(s.args) && !/--checksum=/.test(s.args))
      .map((s) => runHit(s, /(?:https?:\/\/|git@|git:\/\/)\S+/.exec(s.args)?.[0] ?? 'ADD'));
  },
};

/** True when a reference names no tag or digest, or the `latest` tag. */
export function mutableRef(ref: string): boolean {
  if (ref.includes('@sha256:')) return false;
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', lastSlash + 1);
  return colon === -1 || ref.slice(colon + 1) === 'latest';
}

const bcr020: BuildRule = {
  id: 'BCR-020',
  name: 'Mutable latest base/tag',
  severity: 'low',
  references: ['DKL-DI-0006', 'DL3007', 'DS-0001'],
  description: 'The base image (label org.opencontainers.image.base.name) or the scanned reference uses `latest` or no tag: rebuilds silently pick up different content.',
  remediation: 'Pin base images by version and digest (`FROM debian:10.13@sha256:...`) and rebuild on a schedule.',
  evaluate(ctx) {
    const hits: Hit[] = [];
    const base = ctx.config.Labels?.['org.opencontainers.image.base.name'];
    const baseDigest = ctx.config.Labels?.['org.opencontainers.image.base.digest'];
    if (base && !baseDigest && mutableRef(base)) hits.push({ step: null, instruction: `FROM ${base}`, evidence: [`org.opencontainers.image.base.name=${base}`] });
    const ref = ctx.options.reference ?? (ctx.inventory.artifact.type === 'registry' ? ctx.inventory.artifact.ref : undefined);
    if (ref && mutableRef(ref)) hits.push({ step: null, instruction: '--', evidence: [`scanned reference ${ref}`] });
    return hits;
  },
};

const bcr022: BuildRule = {
  id: 'BCR-022',
  name: 'Unpinned package versions',
  severity: 'low',
  references: ['DL3008', 'DL3013', 'DL3016', 'DL3018', 'DL3028', 'DL3033', 'DL3037', 'DL3041', 'DL3062'],
  description: 'Install commands name packages without a version (apt `pkg=1.2`, apk `pkg=1.2-r0`, pip `pkg==1.2`, npm `pkg@1.2`, yum `pkg-1.2`, gem `-v`, go `@v1.2`): rebuilds are not reproducible and scan results drift.',
  remediation: 'Pin versions (or install from lock files) so rebuilds are reproducible and vulnerability results stay meaningful.',
  evaluate(ctx) {
    const hits: Hit[] = [];
    for (const step of runSteps(ctx)) {
      const unpinned = packageCommandsOf(step).flatMap((pc) => unpinnedPackages(pc).map((p) => ({ p, raw: pc.command.raw })));
      if (unpinned.length > 0) hits.push(runHit(step, unpinned[0]?.raw ?? '', [...new Set(unpinned.map((u) => u.p))]));
    }
    return hits;
  },
};

export const SUPPLY_CHAIN_RULES: readonly BuildRule[] = [bcr015, bcr016, bcr017, bcr018, bcr019, bcr020, bcr021, bcr022];
