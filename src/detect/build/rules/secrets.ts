/** BCR-007..BCR-014: secrets and credentials in config, history and layers. */
import { hashKind, isUsableHash, parsePasswd, parseShadow } from '../../baseline/parse/accounts.js';
import type { BuildStep } from '../history.js';
import { isRealSecretValue, isSecretName, maskValue, tokenFormatOf } from '../secrets.js';
import { commandWords, parseShell, programOf } from '../shell.js';
import { CONTEXT_DIRS, CONTEXT_FILES } from '../paths.js';
import type { BuildContext, BuildRule, Hit } from '../types.js';
import { abs, commandsOf, hitsByLayer, invocations, layerHit, packageCommandsOf, runHit, runSteps } from './common.js';

function splitEnv(entry: string): { name: string; value: string } {
  const eq = entry.indexOf('=');
  return eq === -1 ? { name: entry, value: '' } : { name: entry.slice(0, eq), value: entry.slice(eq + 1) };
}

/** Secret-looking NAME=VALUE pairs: a secret name with a real value, or any value in a token format. */
function secretPair(name: string, value: string): { critical: boolean } | null {
  const format = tokenFormatOf(value);
  if (format) return { critical: true };
  return isSecretName(name) && isRealSecretValue(value) ? { critical: false } : null;
}

const bcr007: BuildRule = {
  id: 'BCR-007',
  name: 'Secret in environment variables',
  severity: 'high',
  references: ['CIS-DI-0010', 'DL3064', 'DS-0031', 'CIS Docker 4.10'],
  description: 'config.Env holds a variable whose name marks a secret (password, token, key…) with a real value, or a value in a known token format: every image consumer can read it with `docker inspect`. Critical for recognised live tokens.',
  remediation: 'Remove the ENV; pass secrets at deploy time from a secret store (Kubernetes Secret, Vault) or at build time via `RUN --mount=type=secret`; rotate the exposed value.',
  evaluate(ctx) {
    const hits: Hit[] = [];
    for (const entry of ctx.config.Env ?? []) {
      const { name, value } = splitEnv(entry);
      const s = secretPair(name, value);
      if (!s) continue;
      const step = [...ctx.steps].reverse().find((st) => st.instruction === 'ENV' && new RegExp(`(?:^|\\s)${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[=\\s]`).test(st.args)) ?? null;
      hits.push({ step, instruction: step ? step.text : `ENV ${name}=${value}`, fragment: `${name}=`, evidence: [`${name}=${maskValue(value)}`], ...(s.critical ? { severity: 'critical' as const } : {}) });
    }
    return hits;
  },
};

const bcr008: BuildRule = {
  id: 'BCR-008',
  name: 'Build argument secret recorded in history',
  severity: 'high',
  references: ['DS-0031', 'BuildKit SecretsUsedInArgOrEnv'],
  description:
    'ARG defaults and the `|N K=V` prefix of RUN history lines record build-argument values (BuildKit prepends every ARG in scope to every RUN): a secret passed with --build-arg leaks even though it never reaches config.Env.',
  remediation: 'Build args are not secret: use `RUN --mount=type=secret,id=npm,target=/root/.npmrc npm ci` with `docker build --secret id=npm,src=...`; rotate the leaked value.',
  evaluate(ctx) {
    // BuildKit repeats every ARG on every RUN: report each secret once, at its first appearance.
    const seen = new Map<string, { hit: Hit; count: number }>();
    for (const step of ctx.steps) {
      const pairs: Array<{ name: string; value: string }> =
        step.instruction === 'ARG' ? step.args.split(/\s+/).filter((a) => a.includes('=')).map(splitEnv) : step.buildArgs;
      for (const { name, value } of pairs) {
        const s = secretPair(name, value);
        if (!s) continue;
        const existing = seen.get(name);
        if (existing) {
          existing.count++;
          continue;
        }
        const instruction = step.instruction === 'RUN' ? runWithArgs(step) : step.text;
        seen.set(name, { hit: { step, instruction, fragment: `${name}=`, evidence: [`${name}=${maskValue(value)}`], ...(s.critical ? { severity: 'critical' as const } : {}) }, count: 1 });
      }
    }
    return [...seen.values()].map(({ hit, count }) => ({ ...hit, evidence: [...hit.evidence, `recorded in ${count} history ${count === 1 ? 'entry' : 'entries'}`] }));
  },
};

/** `RUN |2 A=x B=y /bin/sh -c cmd`: the form that shows where the value leaked. */
function runWithArgs(step: BuildStep): string {
  const args = step.buildArgs.map((a) => `${a.name}=${a.value}`).join(' ');
  return `RUN |${step.buildArgs.length} ${args} ${step.shell ?? '/bin/sh -c'} ${step.command ?? ''}`;
}

/** A credential value that is a reference to a variable (e.g. filled from a secret mount) is not a leak. */
function literal(v: string | undefined): boolean {
  return v !== undefined && v !== '' && !/^["']?\$/.test(v);
}

function optionValue(words: string[], names: string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    for (const n of names) {
      if (w === n) return words[i + 1];
      if (n.startsWith('--') && w.startsWith(`${n}=`)) return w.slice(n.length + 1);
    }
  }
  return undefined;
}

/** Credential-bearing command lines, word-based (linear, no backtracking). */
function credentialIn(words: string[]): string | null {
  const prog = programOf(words);
  const sub = words.slice(1).filter((w) => !w.startsWith('-'));
  switch (prog) {
    case 'aws':
      return sub[0] === 'configure' && sub[1] === 'set' && /^aws_(?:access_key_id|secret_access_key|session_token)$/.test(sub[2] ?? '') && literal(sub[3]) ? 'aws configure set' : null;
    case 'gcloud':
      return sub[0] === 'auth' && sub[1] === 'activate-service-account' ? 'gcloud auth activate-service-account' : null;
    case 'az':
      return sub[0] === 'login' && literal(optionValue(words, ['-p', '--password', '--federated-token'])) ? 'az login' : null;
    case 'doctl':
      return sub[0] === 'auth' && sub[1] === 'init' && literal(optionValue(words, ['-t', '--access-token'])) ? 'doctl auth init' : null;
    case 'docker':
    case 'podman':
    case 'buildah':
      return sub[0] === 'login' && literal(optionValue(words, ['-p', '--password'])) ? `${prog} login -p` : null;
    case 'curl': {
      const user = optionValue(words, ['-u', '--user']);
      if (user && user.includes(':') && literal(user.split(':')[1])) return 'curl -u user:password';
      const headers = words.filter((_w, i) => words[i - 1] === '-H' || words[i - 1] === '--header');
      return headers.some((h) => /^Authorization:\s*(?:Basic|Bearer|token)\s+[^$\s]/i.test(h)) ? 'curl Authorization header' : null;
    }
    case 'wget':
      return literal(optionValue(words, ['--password', '--http-password', '--ftp-password'])) ? 'wget --password' : null;
    case 'sshpass':
      return literal(optionValue(words, ['-p'])) || words.some((w) => /^-p[^-\s]/.test(w) && literal(w.slice(2))) ? 'sshpass -p' : null;
    case 'mysql':
    case 'mysqladmin':
    case 'mysqldump':
      return words.some((w) => (/^-p[^\s]/.test(w) && literal(w.slice(2))) || (w.startsWith('--password=') && literal(w.slice(11)))) ? `${prog} -p<password>` : null;
    case 'npm':
    case 'yarn':
      return words.some((w, i) => /:_authToken$|^_auth$/.test(w) && literal(words[i + 1])) || words.some((w) => /:_authToken=[^$]/.test(w)) ? `${prog} auth token` : null;
    case 'htpasswd':
      return words.some((w) => /^-[a-zA-Z]*b/.test(w)) ? 'htpasswd -b' : null;
    default:
      return null;
  }
}

const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]{1,20}:\/\/([^\s/:@'"]{1,200})(?::([^\s/@'"]{1,200}))?@/i;

const bcr009: BuildRule = {
  id: 'BCR-009',
  name: 'Credentials on a RUN command line',
  severity: 'high',
  references: ['DS-0031', 'gitleaks curl-auth-user', 'gitleaks curl-auth-header'],
  description:
    'A RUN passes a credential on its command line (docker/az/doctl login passwords, aws configure set, curl -u or Authorization headers, user:password@ URLs, sshpass, mysql -p, npm auth tokens, PGPASSWORD=…); command lines are stored verbatim in the image config.',
  remediation: 'Move the credential into a BuildKit secret or ssh mount (`RUN --mount=type=secret,...`) and rotate it.',
  evaluate(ctx) {
    const hits: Hit[] = [];
    for (const step of runSteps(ctx)) {
      const found: string[] = [];
      for (const cmd of commandsOf(step)) {
        const c = credentialIn(commandWords(cmd));
        if (c) found.push(c);
        for (const w of cmd.words) {
          const m = URL_CREDENTIALS.exec(w);
          if (m && ((m[2] !== undefined && literal(m[2])) || (m[2] === undefined && ((m[1] ?? '').length >= 16 || tokenFormatOf(m[1] ?? ''))))) found.push('credentials in URL');
          const assign = /^(PGPASSWORD|MYSQL_PWD|PASSWORD|GIT_PASSWORD|REGISTRY_PASSWORD)=(.+)$/.exec(w);
          if (assign && literal(assign[2])) found.push(`${assign[1]}=`);
        }
      }
      if (found.length > 0) hits.push(runHit(step, found[0] === 'credentials in URL' ? '@' : (found[0] as string).split(' ')[0] as string, [...new Set(found)]));
    }
    return hits;
  },
};

/** Accounts in /etc/shadow with a usable hash and a login shell. */
function accountsWithPasswords(ctx: BuildContext): string[] {
  const shadow = ctx.fs.read('/etc/shadow');
  if (!shadow) return [];
  const shells = new Map(parsePasswd(ctx.fs.read('/etc/passwd') ?? '').entries.map((p) => [p.name, p.shell]));
  return parseShadow(shadow)
    .entries.filter((s) => isUsableHash(s.hash) && !/nologin|false$/.test(shells.get(s.name) ?? ''))
    .map((s) => `${s.name} (${hashKind(s.hash)})`);
}

const bcr010: BuildRule = {
  id: 'BCR-010',
  name: 'OS account password set during build',
  severity: 'high',
  references: [],
  description: 'A RUN sets a login password (chpasswd, passwd --stdin, useradd/usermod -p, openssl passwd), or /etc/shadow holds a usable hash for an account with a login shell: the password is in the image and often in its history.',
  remediation: 'Containers should not need login passwords: lock the account (`usermod -L`) or set credentials at runtime.',
  evaluate(ctx) {
    const hits: Hit[] = [];
    for (const step of runSteps(ctx)) {
      const found = parseShell(step.command ?? '').flatMap((pipeline) =>
        pipeline.filter((cmd, position) => {
          const w = commandWords(cmd);
          const prog = programOf(w);
          const pValue = optionValue(w, ['-p', '--password']);
          return (
            prog === 'chpasswd' ||
            (prog === 'passwd' && (w.includes('--stdin') || position > 0)) || // `echo -e "pw\npw" | passwd`
            ((prog === 'useradd' || prog === 'usermod' || prog === 'adduser') && pValue !== undefined && !['', '*', '!', '!!'].includes(pValue)) ||
            (prog === 'openssl' && w[1] === 'passwd')
          );
        }),
      );
      if (found[0]) hits.push(runHit(step, found[0].raw));
    }
    const accounts = accountsWithPasswords(ctx);
    if (hits.length === 0 && accounts.length > 0) {
      const layer = ctx.fs.file('/etc/shadow')?.layerDiffId;
      hits.push(layerHit(ctx, layer, accounts.map((a) => `/etc/shadow: ${a}`), true));
    }
    return hits;
  },
};

const bcr011: BuildRule = {
  id: 'BCR-011',
  name: 'Account with empty password',
  severity: 'high',
  references: ['DKL-LI-0001'],
  description: 'An /etc/shadow entry has an empty password field, or a RUN removes a password (`passwd -d`, `usermod -p \'\'`): the account may log in without a password.',
  remediation: 'Lock the account (`passwd -l <user>`) or set a strong password; never ship password-less login accounts.',
  evaluate(ctx) {
    const hits: Hit[] = [];
    for (const step of runSteps(ctx)) {
      for (const { cmd, words } of invocations(step, ['passwd', 'usermod'])) {
        const prog = programOf(words);
        if ((prog === 'passwd' && (words.includes('-d') || words.includes('--delete'))) || (prog === 'usermod' && optionValue(words, ['-p', '--password']) === '')) {
          hits.push(runHit(step, cmd.raw));
          break;
        }
      }
    }
    const shadow = ctx.fs.read('/etc/shadow');
    const empty = shadow ? parseShadow(shadow).entries.filter((s) => s.hash === '').map((s) => `/etc/shadow: ${s.name} has an empty password`) : [];
    if (empty.length > 0 && hits.length === 0) hits.push(layerHit(ctx, ctx.fs.file('/etc/shadow')?.layerDiffId, empty, true));
    return hits;
  },
};

const bcr012: BuildRule = {
  id: 'BCR-012',
  name: 'Secret added then deleted in a later layer',
  severity: 'high',
  references: [],
  description: 'A sensitive file (key, credential) was written by one layer and deleted by a later one (whiteout): it is invisible in the running container but still extractable from the earlier layer.',
  remediation: 'Never copy secrets into any layer; use `--mount=type=secret`/`--mount=type=ssh` or a multi-stage build whose final stage does not inherit the layer; rotate the secret.',
  evaluate(ctx) {
    return hitsByLayer(
      ctx,
      ctx.inventory.sensitive.filter((s) => !s.visible).map((s) => ({ layerDiffId: s.layerDiffId, evidence: `${abs(s.path)} (${s.key})` })),
    );
  },
};

const CREDENTIAL_LEFTOVERS = /(?:^|\/)(?:\.aws|\.azure|\.gcp|\.docker|\.kube|\.ssh)\/|(?:^|\/)(?:\.env|\.npmrc|\.pypirc|\.netrc)$/;

function leftoverPath(path: string): boolean {
  const segs = path.split('/');
  if (segs.some((s, i) => i < segs.length - 1 && (CONTEXT_DIRS as readonly string[]).includes(s))) return true;
  return (CONTEXT_FILES as readonly string[]).includes(segs[segs.length - 1] as string);
}

const bcr013: BuildRule = {
  id: 'BCR-013',
  name: 'Build-context leftovers copied into the image',
  severity: 'medium',
  references: ['DKL-LI-0003'],
  description: 'COPY/ADD brought build-context files into the image (.git/, .aws/, .ssh/, .docker/, .kube/, IDE folders, Dockerfile, docker-compose.yml, .env, .npmrc, .pypirc, .netrc). High when one of them is a credential file.',
  remediation: 'Add a `.dockerignore` (`.git`, `.env*`, `**/.aws`, `*.pem`, `.npmrc`, IDE folders) and copy only the needed paths.',
  evaluate(ctx) {
    const items = Object.entries(ctx.inventory.files)
      .filter(([path]) => leftoverPath(path))
      .map(([path, f]) => ({ path, layerDiffId: f.layerDiffId, step: ctx.stepOfLayer(f.layerDiffId) }))
      // RUN steps create .ssh/known_hosts or caches legitimately; leftovers come from COPY/ADD (or unmapped layers).
      .filter((x) => !x.step || x.step.instruction === 'COPY' || x.step.instruction === 'ADD');
    return hitsByLayer(ctx, items.map((x) => ({ layerDiffId: x.layerDiffId, evidence: abs(x.path) }))).map((h) =>
      h.evidence.some((e) => CREDENTIAL_LEFTOVERS.test(e.slice(1))) ? { ...h, severity: 'high' as const } : h,
    );
  },
};

const KEYGEN_PACKAGES = new Set(['openssh-server', 'openssh', 'ssl-cert', 'dropbear']);
const GENERATED_KEY = /^(?:etc\/ssh\/ssh_host_[a-z0-9]+_key|etc\/ssl\/private\/ssl-cert-snakeoil\.key|etc\/dropbear\/dropbear_[a-z0-9]+_host_key)$/;

function generatesKeys(step: BuildStep): string | null {
  for (const cmd of commandsOf(step)) {
    const w = commandWords(cmd);
    const prog = programOf(w);
    if (prog === 'ssh-keygen' || prog === 'make-ssl-cert' || prog === 'dropbearkey') return cmd.raw;
    if (prog === 'openssl' && (w[1] === 'genrsa' || w[1] === 'genpkey' || w[1] === 'ecparam' || (w[1] === 'req' && (w.includes('-newkey') || w.includes('-keyout'))))) return cmd.raw;
    if (prog === 'keytool' && (w.includes('-genkeypair') || w.includes('-genkey'))) return cmd.raw;
  }
  return null;
}

const bcr014: BuildRule = {
  id: 'BCR-014',
  name: 'Keys or certificates generated at build time',
  severity: 'medium',
  references: [],
  description: 'A RUN generates a private key (ssh-keygen, openssl genrsa/genpkey/req -newkey, keytool -genkeypair, make-ssl-cert) or installs a package whose scripts do (openssh-server, ssl-cert) and the key stays in the layer: every container from the image shares one private key.',
  remediation: 'Generate host keys and certificates at container start (e.g. `ssh-keygen -A` in the entrypoint) or mount them.',
  evaluate(ctx) {
    const hits: Hit[] = [];
    const keysByLayer = new Map<string, string[]>();
    for (const [path, f] of Object.entries(ctx.inventory.files)) if (GENERATED_KEY.test(path)) keysByLayer.set(f.layerDiffId, [...(keysByLayer.get(f.layerDiffId) ?? []), abs(path)]);
    for (const step of runSteps(ctx)) {
      const keys = step.layerDiffId ? (keysByLayer.get(step.layerDiffId) ?? []) : [];
      const explicit = generatesKeys(step);
      if (explicit) {
        hits.push(runHit(step, explicit, keys));
        continue;
      }
      const installer = packageCommandsOf(step).find((p) => p.action === 'install' && p.packages.some((n) => KEYGEN_PACKAGES.has(n.split(/[=:]/)[0] as string)));
      if (installer && keys.length > 0) hits.push(runHit(step, installer.command.raw, keys));
    }
    return hits;
  },
};

export const SECRET_RULES: readonly BuildRule[] = [bcr007, bcr008, bcr009, bcr010, bcr011, bcr012, bcr013, bcr014];
