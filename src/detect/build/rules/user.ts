/** BCR-001..BCR-006: user and privilege. */
import { SUID_ALLOWLIST } from '../../baseline/rules/file-permissions.js';
import { globFiles } from '../../baseline/fs-glob.js';
import type { BuildRule, Hit } from '../types.js';
import { abs, commandsOf, hitsByLayer, invocations, runHit, runSteps } from './common.js';
import { commandWords, programOf } from '../shell.js';

/** `user[:group]` → the user part. */
function userPart(user: string): string {
  return user.split(':')[0] ?? '';
}

const bcr001: BuildRule = {
  id: 'BCR-001',
  name: 'Image runs as root',
  severity: 'high',
  references: ['CIS-DI-0001', 'DL3002', 'DS-0002', 'CIS Docker 4.1'],
  description: 'The final user (config.User) is empty, root, 0, or a name that resolves to UID 0 in the image\'s /etc/passwd, so container processes run as root.',
  remediation: 'Add the following line to the Dockerfile: USER <non root username> (create the account with `useradd -r -u 10001 app` and end with `USER 10001`); give file ownership with `COPY --chown` instead of running as root.',
  evaluate(ctx) {
    const user = userPart(ctx.config.User ?? '');
    const isRoot = user === '' || ctx.uidOf(user) === 0;
    if (!isRoot) return [];
    const last = [...ctx.steps].reverse().find((s) => s.instruction === 'USER');
    const step = last && ctx.uidOf(userPart(last.args)) === 0 ? last : null;
    return [{ step, ...(step ? {} : { instruction: '--' }), evidence: [`config.User=${JSON.stringify(ctx.config.User ?? '')}`] }];
  },
};

const bcr002: BuildRule = {
  id: 'BCR-002',
  name: 'Non-numeric final USER',
  severity: 'low',
  references: ['DL3066'],
  description: 'config.User is a name: Kubernetes `runAsNonRoot: true` cannot verify a name and refuses to start the pod ("image has non-numeric user").',
  remediation: 'Use the numeric UID (and GID) in the final USER instruction, e.g. `USER 10001:10001`.',
  evaluate(ctx) {
    const user = ctx.config.User ?? '';
    if (user === '' || /^\d+(?::\d+)?$/.test(user) || ctx.uidOf(userPart(user)) === 0) return [];
    const step = [...ctx.steps].reverse().find((s) => s.instruction === 'USER') ?? null;
    return [{ step, instruction: `USER ${user}`, evidence: [`config.User=${user}`] }];
  },
};

const bcr003: BuildRule = {
  id: 'BCR-003',
  name: 'sudo used during build',
  severity: 'medium',
  references: ['DKL-DI-0001', 'DL3004', 'DS-0010'],
  description: 'A RUN command is run through sudo: build steps already run as the current USER, and sudo in the image is an escalation path at runtime.',
  remediation: 'Switch users with `USER root` … `USER app` around privileged steps and drop sudo from the image (use gosu/su-exec in entrypoints if a runtime drop is needed).',
  evaluate(ctx) {
    const hits: Hit[] = [];
    for (const step of runSteps(ctx)) {
      const cmd = commandsOf(step).find((c) => programOf(commandWords(c, false)) === 'sudo');
      if (cmd) hits.push(runHit(step, cmd.raw));
    }
    return hits;
  },
};

const NOPASSWD_ALL = /^\s*([^#\s][^\s]*)\s+.*NOPASSWD\s*:\s*ALL\s*$/;

const bcr004: BuildRule = {
  id: 'BCR-004',
  name: 'Passwordless sudo configured',
  severity: 'high',
  references: [],
  description: 'An uncommented sudoers rule grants `NOPASSWD: ALL` to a user or group other than root, so anyone who gets that account is root without a password.',
  remediation: 'Do not ship sudo in runtime images; if unavoidable, restrict the rule to specific commands and require authentication.',
  evaluate(ctx) {
    const hits: Hit[] = [];
    for (const step of runSteps(ctx)) {
      const cmd = step.command ?? '';
      if (/NOPASSWD\s*:\s*ALL/.test(cmd) && /sudoers/.test(cmd)) hits.push(runHit(step, 'NOPASSWD'));
    }
    const files = ['/etc/sudoers', ...globFiles(ctx.fs, ctx.inventory, '/etc/sudoers.d/*')];
    const offending: Array<{ layerDiffId?: string; evidence: string }> = [];
    for (const path of files) {
      const text = ctx.fs.read(path);
      if (text === undefined) continue;
      text.split('\n').forEach((line, i) => {
        const m = NOPASSWD_ALL.exec(line);
        if (m && m[1] !== 'root') offending.push({ layerDiffId: ctx.fs.file(path)?.layerDiffId, evidence: `${path}:${i + 1}: ${line.trim()}` });
      });
    }
    // A RUN already reported explains the file; report files only when no RUN did.
    return hits.length > 0 ? hits.map((h) => ({ ...h, evidence: offending.map((o) => o.evidence) })) : hitsByLayer(ctx, offending, true);
  },
};

/** chmod mode arguments that set setuid/setgid (`u+s`, `g+s`, `4755`, `2755`). */
function setsSpecialBits(mode: string): boolean {
  if (/^[0-7]{4}$/.test(mode)) return (Number(mode[0]) & 6) !== 0;
  return mode.split(',').some((clause) => /^[ugoa]*[+=][rwxXt]*s/.test(clause));
}

/** chmod mode arguments that give others write access (`777`, `o+w`, `a+rwx`), without the sticky bit. */
function worldWritable(mode: string): boolean {
  if (/^[0-7]{3,4}$/.test(mode)) {
    const sticky = mode.length === 4 && (Number(mode[0]) & 1) !== 0;
    return !sticky && (Number(mode[mode.length - 1]) & 2) !== 0;
  }
  return mode.split(',').some((clause) => /^[ugoa]*[oa][ugoa]*[+=][rwxXst]*w/.test(clause));
}

/** The mode argument of a chmod invocation (the first word that is not an option). */
function chmodModes(words: string[]): string[] {
  const mode = words.slice(1).find((w) => !w.startsWith('-'));
  return mode ? [mode] : [];
}

const bcr005: BuildRule = {
  id: 'BCR-005',
  name: 'setuid/setgid bit added',
  severity: 'medium',
  references: ['CIS-DI-0008', 'CIS Docker 4.8'],
  description: 'A RUN sets the setuid/setgid bit (`chmod u+s`, `chmod 4755`), or the image holds setuid/setgid files outside the distribution allowlist; each is a privilege-escalation path.',
  remediation: 'Remove the bit (`chmod u-s,g-s <file>`), or strip all of them in the final stage: `find / -xdev -perm /6000 -type f -exec chmod a-s {} +`.',
  evaluate(ctx) {
    const hits: Hit[] = [];
    for (const step of runSteps(ctx)) {
      for (const { cmd, words } of invocations(step, ['chmod'])) {
        if (chmodModes(words).some(setsSpecialBits)) hits.push(runHit(step, cmd.raw));
      }
    }
    const files = ctx.inventory.specialModes
      .filter((s) => s.type === 'file' && (s.mode & 0o6000) !== 0 && !SUID_ALLOWLIST.has(s.path.slice(s.path.lastIndexOf('/') + 1)))
      .map((s) => ({ layerDiffId: s.layerDiffId, evidence: `${abs(s.path)} (${(s.mode & 0o7777).toString(8)})` }));
    const covered = new Set(hits.map((h) => h.step?.layerDiffId));
    return [...hits, ...hitsByLayer(ctx, files.filter((f) => !covered.has(f.layerDiffId)), true)];
  },
};

const RUNTIME_MOUNTS = /^(?:proc|sys|dev)(?:\/|$)/;

const bcr006: BuildRule = {
  id: 'BCR-006',
  name: 'World-writable permissions set',
  severity: 'medium',
  references: [],
  description: 'A RUN opens files to everyone (`chmod 777`, `o+w`, `a+w`, `COPY --chmod=777`), or the image holds world-writable files: any process in the container can alter them.',
  remediation: 'Give ownership to the runtime user (`chown app:app <dir>`, `chmod 750`/`640`) instead of opening files to everyone.',
  evaluate(ctx) {
    const hits: Hit[] = [];
    for (const step of ctx.steps) {
      if (step.instruction === 'RUN') {
        for (const { cmd, words } of invocations(step, ['chmod'])) if (chmodModes(words).some(worldWritable)) hits.push(runHit(step, cmd.raw));
      } else if ((step.instruction === 'COPY' || step.instruction === 'ADD') && /--chmod=([0-7]{3,4}|\S+)/.test(step.args)) {
        const mode = /--chmod=(\S+)/.exec(step.args)?.[1] ?? '';
        if (worldWritable(mode)) hits.push(runHit(step, `--chmod=${mode}`));
      }
    }
    const files = ctx.inventory.specialModes
      .filter((s) => s.type === 'file' && (s.mode & 0o002) !== 0 && !RUNTIME_MOUNTS.test(s.path))
      .map((s) => ({ layerDiffId: s.layerDiffId, evidence: `${abs(s.path)} (${(s.mode & 0o7777).toString(8)})` }));
    const covered = new Set(hits.map((h) => h.step?.layerDiffId));
    return [...hits, ...hitsByLayer(ctx, files.filter((f) => !covered.has(f.layerDiffId)), true)];
  },
};

export const USER_RULES: readonly BuildRule[] = [bcr001, bcr002, bcr003, bcr004, bcr005, bcr006];
