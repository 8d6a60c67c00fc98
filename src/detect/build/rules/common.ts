/** Helpers shared by the build-risk rule packs. */
import type { BuildStep } from '../history.js';
import { packageCommand, type PackageCommand } from '../packages.js';
import { allCommands, commandWords, programOf, type ShellCommand } from '../shell.js';
import type { BuildContext, Hit } from '../types.js';

const commandCache = new WeakMap<BuildStep, ShellCommand[]>();
const packageCache = new WeakMap<BuildStep, PackageCommand[]>();

/** RUN steps with a readable command. */
export function runSteps(ctx: BuildContext): BuildStep[] {
  return ctx.steps.filter((s) => s.instruction === 'RUN' && s.command !== undefined);
}

export function commandsOf(step: BuildStep): ShellCommand[] {
  let c = commandCache.get(step);
  if (!c) commandCache.set(step, (c = allCommands(step.command ?? '')));
  return c;
}

export function packageCommandsOf(step: BuildStep): PackageCommand[] {
  let c = packageCache.get(step);
  if (!c) packageCache.set(step, (c = commandsOf(step).map(packageCommand).filter((p): p is PackageCommand => p !== null)));
  return c;
}

/** Simple commands of a step whose program is one of `programs`, with their argument words. */
export function invocations(step: BuildStep, programs: readonly string[]): Array<{ cmd: ShellCommand; words: string[] }> {
  return commandsOf(step)
    .map((cmd) => ({ cmd, words: commandWords(cmd) }))
    .filter((x) => programs.includes(programOf(x.words)));
}

/** A hit on a RUN step, with the triggering command text as the fragment to keep visible. */
export function runHit(step: BuildStep, fragment: string, evidence: string[] = []): Hit {
  return { step, fragment, evidence };
}

/**
 * A hit on the step that created the layer holding `layerDiffId` (so the finding names its layer).
 * `fileLevel`: the evidence is a file, not the instruction text, so the instruction shown is `--`.
 */
export function layerHit(ctx: BuildContext, layerDiffId: string | undefined, evidence: string[], fileLevel = false): Hit {
  const step = layerDiffId ? ctx.stepOfLayer(layerDiffId) : null;
  return { step, evidence, ...(step && !fileLevel ? {} : { instruction: '--' }) };
}

/** Groups file evidence by the layer that wrote it, one hit per creating step. */
export function hitsByLayer(ctx: BuildContext, items: Array<{ layerDiffId?: string; evidence: string }>, fileLevel = false): Hit[] {
  const by = new Map<string, string[]>();
  for (const it of items) {
    const k = it.layerDiffId ?? '';
    by.set(k, [...(by.get(k) ?? []), it.evidence]);
  }
  return [...by].map(([layer, evidence]) => layerHit(ctx, layer || undefined, evidence, fileLevel));
}

export function abs(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}
