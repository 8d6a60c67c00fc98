/** BCR-023..BCR-030: attack surface and runtime behaviour. */
import type { BuildStep } from '../history.js';
import { installedPackages, packageName } from '../packages.js';
import type { BuildContext, BuildRule, Hit } from '../types.js';
import { abs, hitsByLayer, packageCommandsOf, runHit, runSteps } from './common.js';

/** `8080/tcp` → port and protocol; `8000-8010/tcp` ranges take their first port. */
function parsePort(key: string): { port: number; end: number; proto: string } | null {
  const m = /^(\d{1,10})(?:-(\d{1,10}))?(?:\/([a-z]+))?$/i.exec(key.trim());
  if (!m) return null;
  return { port: Number(m[1]), end: Number(m[2] ?? m[1]), proto: (m[3] ?? 'tcp').toLowerCase() };
}

function exposeStep(ctx: BuildContext, port: number): BuildStep | null {
  return [...ctx.steps].reverse().find((s) => s.instruction === 'EXPOSE' && new RegExp(`(?:^|[\\s\\[])${port}(?:/|\\b)`).test(s.args)) ?? null;
}

const SSH_SERVER_PACKAGES = new Set(['openssh-server', 'dropbear']);

const bcr023: BuildRule = {
  id: 'BCR-023',
  name: 'SSH server shipped in the image',
  severity: 'medium',
  references: ['DS-0004', 'DL3001'],
  description: 'The image exposes port 22, starts sshd, installs an SSH server (openssh-server, apk openssh, dropbear) or contains /usr/sbin/sshd: containers should be reached with exec, not SSH.',
  remediation: 'Remove sshd; use `docker exec`/`kubectl exec` for access (this also removes the host-key sharing of baseline SSH-03).',
  evaluate(ctx) {
    const hits: Hit[] = [];
    for (const key of Object.keys(ctx.config.ExposedPorts ?? {})) {
      const p = parsePort(key);
      if (p && p.port <= 22 && p.end >= 22 && p.proto === 'tcp') hits.push({ step: exposeStep(ctx, 22), instruction: 'EXPOSE 22/tcp', evidence: [`ExposedPorts ${key}`] });
    }
    const argv = [...(ctx.config.Entrypoint ?? []), ...(ctx.config.Cmd ?? [])].join(' ');
    if (/(?:^|[\s/])(?:sshd|dropbear)(?:\s|$)/.test(argv)) hits.push({ step: null, instruction: '--', evidence: [`runs ${argv.slice(0, 100)}`] });
    for (const step of runSteps(ctx)) {
      const pc = packageCommandsOf(step).find((c) => installedPackages(c).some((n) => SSH_SERVER_PACKAGES.has(packageName(c.manager, n)) || (c.manager === 'apk' && packageName(c.manager, n) === 'openssh')));
      if (pc) hits.push(runHit(step, pc.command.raw));
    }
    if (hits.length === 0) {
      const binaries = ['usr/sbin/sshd', 'usr/sbin/dropbear'].filter((p) => ctx.inventory.files[p]);
      hits.push(...hitsByLayer(ctx, binaries.map((p) => ({ layerDiffId: ctx.inventory.files[p]?.layerDiffId, evidence: abs(p) })), true));
    }
    return hits;
  },
};

/** Ports of plain-text or remote-control services. */
function riskyPort(port: number, proto: string): string | null {
  if (port === 23) return 'telnet';
  if (port === 21) return 'ftp';
  if (port === 69 && proto === 'udp') return 'tftp';
  if (port >= 512 && port <= 514) return 'r-services';
  if (port === 2375) return 'Docker API without TLS';
  if (port >= 5900 && port <= 5999) return 'VNC';
  if (port === 3389) return 'RDP';
  if (port >= 6000 && port <= 6063) return 'X11';
  return null;
}

const bcr024: BuildRule = {
  id: 'BCR-024',
  name: 'Risky or invalid ports exposed',
  severity: 'medium',
  references: ['DL3011', 'DS-0008'],
  description: 'config.ExposedPorts includes a plain-text or remote-control service port (telnet 23, ftp 21, tftp 69/udp, r-services 512-514, unauthenticated Docker API 2375, VNC 5900-5999, RDP 3389, X11 6000-6063), or a port outside 0-65535 (Low).',
  remediation: 'Drop the service or the EXPOSE; use TLS-protected equivalents (SFTP, SSH tunnels, Docker API on 2376 with TLS).',
  evaluate(ctx) {
    const hits: Hit[] = [];
    for (const key of Object.keys(ctx.config.ExposedPorts ?? {})) {
      const p = parsePort(key);
      if (!p) continue;
      if (p.port > 65535 || p.end > 65535) {
        hits.push({ step: null, instruction: `EXPOSE ${key}`, evidence: [`port ${key} is out of range`], severity: 'low' });
        continue;
      }
      for (let port = p.port; port <= Math.min(p.end, p.port + 70000); port++) {
        const what = riskyPort(port, p.proto);
        if (what) {
          hits.push({ step: exposeStep(ctx, port), instruction: `EXPOSE ${port}/${p.proto}`, evidence: [`${port}/${p.proto} (${what})`] });
          break;
        }
      }
    }
    return hits;
  },
};

const SENSITIVE_VOLUMES = new Set(['/proc', '/sys', '/dev', '/', '/etc', '/boot', '/var/run', '/run']);

const bcr025: BuildRule = {
  id: 'BCR-025',
  name: 'Sensitive host directory declared as VOLUME',
  severity: 'medium',
  references: ['DKL-DI-0002'],
  description: 'config.Volumes declares a system directory (/proc, /sys, /dev, /, /etc, /boot, /var/run, /run): a runtime may bind host paths there and the image then reads or writes the host.',
  remediation: 'Remove the VOLUME; host paths must never be implied by the image.',
  evaluate(ctx) {
    return Object.keys(ctx.config.Volumes ?? {})
      .filter((v) => SENSITIVE_VOLUMES.has(v === '/' ? v : v.replace(/\/+$/, '')))
      .map((v) => ({ step: [...ctx.steps].reverse().find((s) => s.instruction === 'VOLUME' && s.args.includes(v)) ?? null, instruction: `VOLUME ["${v}"]`, evidence: [`Volumes ${v}`] }));
  },
};

const SYSTEM_DIRS = ['/proc', '/boot', '/dev', '/initrd', '/lost+found'];

const bcr026: BuildRule = {
  id: 'BCR-026',
  name: 'WORKDIR inside a system directory',
  severity: 'medium',
  references: ['DS-0030'],
  description: 'config.WorkingDir is inside /proc, /boot, /dev, /initrd or /lost+found: the process works in, and may write to, kernel or boot state.',
  remediation: 'Use an application directory such as `/app`.',
  evaluate(ctx) {
    const wd = ctx.config.WorkingDir ?? '';
    if (!SYSTEM_DIRS.some((d) => wd === d || wd.startsWith(`${d}/`))) return [];
    const step = [...ctx.steps].reverse().find((s) => s.instruction === 'WORKDIR') ?? null;
    return [{ step, instruction: `WORKDIR ${wd}`, evidence: [`WorkingDir ${wd}`] }];
  },
};

const TOOLS = new Set([
  'netcat', 'nc', 'ncat', 'netcat-openbsd', 'netcat-traditional', 'nmap-ncat', 'socat', 'nmap', 'tcpdump', 'tshark', 'wireshark', 'wireshark-cli', 'telnet',
  'gdb', 'strace', 'ltrace', 'gcc', 'g++', 'gcc-c++', 'build-essential', 'make', 'clang', 'build-base',
]);

const bcr027: BuildRule = {
  id: 'BCR-027',
  name: 'Debugging/attack tools installed',
  severity: 'low',
  references: ['DL3001', 'CIS Docker 4.3', 'openEuler 1.2.15-1.2.17'],
  description: 'The final image installs network, debugging or compiler tools (netcat, socat, nmap, tcpdump, telnet, gdb, strace, gcc, make…), which an intruder can use directly.',
  remediation: 'Use multi-stage builds: keep build tools in the builder stage and debugging tools in ephemeral debug containers.',
  evaluate(ctx) {
    const hits: Hit[] = [];
    const covered = new Set<string>();
    for (const step of runSteps(ctx)) {
      const found = packageCommandsOf(step).flatMap((c) => installedPackages(c).map((n) => packageName(c.manager, n)).filter((n) => TOOLS.has(n)));
      if (found.length > 0) {
        hits.push(runHit(step, found[0] as string, [...new Set(found)]));
        if (step.layerDiffId) covered.add(step.layerDiffId);
      }
    }
    const pkgs = ctx.inventory.packages.filter((p) => (p.type === 'deb' || p.type === 'rpm' || p.type === 'apk') && TOOLS.has(p.name) && !covered.has(p.layerDiffId));
    return [...hits, ...hitsByLayer(ctx, pkgs.map((p) => ({ layerDiffId: p.layerDiffId, evidence: `${p.name} ${p.version}` })))];
  },
};

const bcr028: BuildRule = {
  id: 'BCR-028',
  name: 'No HEALTHCHECK',
  severity: 'low',
  references: ['CIS-DI-0006', 'DL3057', 'DS-0026', 'CIS Docker 4.6'],
  description: 'config.Healthcheck is absent or `HEALTHCHECK NONE`: the runtime cannot tell a hung container from a healthy one.',
  remediation: 'Add `HEALTHCHECK --interval=30s --timeout=3s CMD <probe> || exit 1` (or rely on orchestrator probes and document it).',
  evaluate(ctx) {
    const hc = ctx.config.Healthcheck;
    if (hc && hc.Test && hc.Test.length > 0 && hc.Test[0] !== 'NONE') return [];
    const none = hc?.Test?.[0] === 'NONE';
    const step = none ? ([...ctx.steps].reverse().find((s) => s.instruction === 'HEALTHCHECK') ?? null) : null;
    return [{ step, instruction: none ? 'HEALTHCHECK NONE' : '--', evidence: [none ? 'HEALTHCHECK NONE' : 'no Healthcheck in the config'] }];
  },
};

const bcr029: BuildRule = {
  id: 'BCR-029',
  name: 'ONBUILD triggers present',
  severity: 'low',
  references: ['DL3043'],
  description: 'config.OnBuild holds triggers that run in every downstream build without appearing in that Dockerfile.',
  remediation: 'Replace ONBUILD with explicit steps in child Dockerfiles; review what the triggers execute.',
  evaluate(ctx) {
    const triggers = ctx.config.OnBuild ?? [];
    return triggers.length > 0 ? [{ step: null, instruction: `ONBUILD ${triggers[0]}`, evidence: triggers.slice(0, 10) }] : [];
  },
};

const SHELLS = /^(?:\/(?:usr\/)?bin\/)?(?:sh|bash|ash|dash|zsh)$/;

const bcr030: BuildRule = {
  id: 'BCR-030',
  name: 'Shell-form ENTRYPOINT/CMD',
  severity: 'low',
  references: ['DL3025'],
  description: 'The entrypoint (or, without one, the command) is `["/bin/sh","-c","…"]`: PID 1 is the shell, SIGTERM is not forwarded to the application, and variables expand at runtime.',
  remediation: 'Use exec form `ENTRYPOINT ["app","--flag"]` (with `exec` or tini/dumb-init when a wrapper script is needed).',
  evaluate(ctx) {
    const ep = ctx.config.Entrypoint ?? [];
    const which = ep.length > 0 ? { kw: 'ENTRYPOINT', argv: ep } : { kw: 'CMD', argv: ctx.config.Cmd ?? [] };
    if (!(SHELLS.test(which.argv[0] ?? '') && which.argv[1] === '-c' && which.argv.length >= 3)) return [];
    const step = [...ctx.steps].reverse().find((s) => s.instruction === which.kw) ?? null;
    return [{ step, instruction: `${which.kw} [${which.argv.map((a) => JSON.stringify(a)).join(' ')}]`, evidence: [`${which.kw} is shell form`] }];
  },
};

export const SURFACE_RULES: readonly BuildRule[] = [bcr023, bcr024, bcr025, bcr026, bcr027, bcr028, bcr029, bcr030];
