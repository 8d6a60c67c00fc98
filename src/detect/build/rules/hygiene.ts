/** BCR-031..BCR-034: patch hygiene and leftovers. */
import type { BuildStep } from '../history.js';
import type { PackageCommand } from '../packages.js';
import { commandWords, programOf } from '../shell.js';
import { CACHE_KINDS, cacheKindOf } from '../paths.js';
import type { BuildContext, BuildRule, Hit } from '../types.js';
import { abs, commandsOf, hitsByLayer, packageCommandsOf, runHit, runSteps } from './common.js';

const OS_MANAGERS = new Set(['apt', 'apk', 'yum', 'zypper']);

const bcr031: BuildRule = {
  id: 'BCR-031',
  name: 'Package index updated without install in the same RUN',
  severity: 'medium',
  references: ['CIS-DI-0007', 'DS-0017', 'CIS Docker 4.7'],
  description: 'A RUN refreshes the package index (apt-get update, apk update, yum/dnf makecache, zypper refresh) without installing or upgrading in the same RUN: the cached index layer makes later installs use stale metadata and miss security fixes.',
  remediation: 'Update and install in one instruction: `RUN apt-get update && apt-get install -y --no-install-recommends <pkgs> && rm -rf /var/lib/apt/lists/*`.',
  evaluate(ctx) {
    const hits: Hit[] = [];
    for (const step of runSteps(ctx)) {
      const pcs = packageCommandsOf(step).filter((p) => OS_MANAGERS.has(p.manager));
      const update = pcs.find((p) => p.action === 'update');
      if (update && !pcs.some((p) => p.manager === update.manager && (p.action === 'install' || p.action === 'upgrade' || p.action === 'dist-upgrade'))) hits.push(runHit(step, update.command.raw));
    }
    return hits;
  },
};

const bcr032: BuildRule = {
  id: 'BCR-032',
  name: 'Distribution upgrade inside the build',
  severity: 'low',
  references: ['DKL-DI-0003', 'DS-0024', 'DL3035'],
  description: 'A RUN upgrades the distribution release (apt-get dist-upgrade, apt full-upgrade, zypper dist-upgrade/dup, dnf system-upgrade/distro-sync): the image no longer matches its base tag and grows a large layer.',
  remediation: 'Move to a newer base image tag instead of upgrading the distribution release in a layer.',
  evaluate(ctx) {
    const hits: Hit[] = [];
    for (const step of runSteps(ctx)) {
      const up = packageCommandsOf(step).find((p) => p.action === 'dist-upgrade');
      if (up) hits.push(runHit(step, up.command.raw));
    }
    return hits;
  },
};

/** Whether a RUN cleans the cache of the manager it installed with. */
function cleansCache(step: BuildStep, pc: PackageCommand): boolean {
  const text = step.command ?? '';
  const pcs = packageCommandsOf(step);
  const cleaned = pcs.some((p) => p.manager === pc.manager && p.action === 'clean');
  switch (pc.manager) {
    case 'apt':
      return cleaned || /\/var\/lib\/apt\/lists/.test(text);
    case 'apk':
      return pc.flags.includes('--no-cache') || /\/var\/cache\/apk/.test(text);
    case 'yum':
      return pcs.some((p) => p.manager === 'yum' && p.action === 'clean' && p.packages.includes('all')) || /\/var\/cache\/(?:yum|dnf)/.test(text);
    case 'zypper':
      return cleaned || /\/var\/cache\/zypp/.test(text);
    default:
      return true;
  }
}

/** The first OS install in a RUN that leaves its cache behind. */
function cachingInstall(step: BuildStep): PackageCommand | null {
  return packageCommandsOf(step).find((p) => OS_MANAGERS.has(p.manager) && p.action === 'install' && !cleansCache(step, p)) ?? null;
}

const OS_CACHE_FILES = /^(?:var\/lib\/apt\/lists\/[^/]*_Packages|var\/cache\/apt\/archives\/[^/]+\.deb$|var\/cache\/apk\/[^/]+$|var\/cache\/(?:yum|dnf|zypp)\/)/;

function fileHits(ctx: BuildContext, re: RegExp, coveredLayers: Set<string>): Hit[] {
  const items = Object.entries(ctx.inventory.files)
    .filter(([p, f]) => re.test(p) && f.size > 0 && !coveredLayers.has(f.layerDiffId))
    .map(([p, f]) => ({ layerDiffId: f.layerDiffId, evidence: abs(p) }));
  return hitsByLayer(ctx, items);
}

const bcr033: BuildRule = {
  id: 'BCR-033',
  name: 'OS package-manager caches left in the image',
  severity: 'low',
  references: ['DKL-DI-0004', 'DKL-DI-0005', 'DL3009', 'DL3019', 'DL3032', 'DL3036', 'DL3040', 'DL3060', 'DS-0015', 'DS-0019', 'DS-0020', 'DS-0025', 'DS-0027'],
  description: 'An install leaves its package index or download cache in the layer (apt lists not removed, apk add without --no-cache, yum/dnf without clean all, zypper without clean), or such files are in the image: a larger attack surface and stale metadata.',
  remediation: 'Clean the cache in the same RUN that installs (`rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `dnf clean all`, `zypper clean`), or use `--mount=type=cache`.',
  evaluate(ctx) {
    const hits: Hit[] = [];
    for (const step of runSteps(ctx)) {
      const pc = cachingInstall(step);
      if (pc) hits.push(runHit(step, pc.command.raw));
    }
    return [...hits, ...fileHits(ctx, OS_CACHE_FILES, new Set(hits.map((h) => h.step?.layerDiffId ?? '')))];
  },
};

/** RUN steps that install language packages keeping the cache (pip without --no-cache-dir, yarn without cache clean). */
function languageCacheFragment(ctx: BuildContext, step: BuildStep): string | null {
  const noPipCache = (ctx.config.Env ?? []).some((e) => /^PIP_NO_CACHE_DIR=(?:1|true|on|yes|off|0|false)$/i.test(e));
  const cmds = commandsOf(step);
  const text = step.command ?? '';
  for (const pc of packageCommandsOf(step)) {
    if (pc.manager === 'pip' && pc.action === 'install' && !noPipCache && !pc.flags.includes('--no-cache-dir') && !/\.cache\/pip|pip cache purge/.test(text)) return pc.command.raw;
    if (pc.manager === 'yarn' && pc.action === 'install' && !cmds.some((c) => programOf(commandWords(c)) === 'yarn' && c.words.includes('cache') && c.words.includes('clean'))) return pc.command.raw;
  }
  return null;
}

const bcr034: BuildRule = {
  id: 'BCR-034',
  name: 'Language package caches left in the image',
  severity: 'low',
  references: ['DL3042', 'DL3060'],
  description: `Language package caches stay in the final image (${CACHE_KINDS.join(', ')}), from pip without --no-cache-dir or yarn without cache clean.`,
  remediation: 'Disable or clean caches in the same RUN (`pip install --no-cache-dir`, `yarn cache clean`, `npm cache clean --force`), or build in a separate stage and copy only the artefacts.',
  evaluate(ctx) {
    const hits: Hit[] = [];
    for (const step of runSteps(ctx)) {
      const fragment = languageCacheFragment(ctx, step);
      if (fragment) hits.push(runHit(step, fragment));
    }
    const covered = new Set(hits.map((h) => h.step?.layerDiffId ?? ''));
    const items = Object.entries(ctx.inventory.files)
      .map(([p, f]) => ({ p, f, kind: cacheKindOf(p) }))
      .filter((x) => x.kind !== null && !covered.has(x.f.layerDiffId))
      .map((x) => ({ layerDiffId: x.f.layerDiffId, evidence: `${x.kind} cache: ${abs(x.p)}` }));
    return [...hits, ...hitsByLayer(ctx, items)];
  },
};

export const HYGIENE_RULES: readonly BuildRule[] = [bcr031, bcr032, bcr033, bcr034];
