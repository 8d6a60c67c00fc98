/**
 * Image history as build steps: each `created_by` normalised across the classic builder,
 * BuildKit and Buildah/Podman, mapped to the layer it produced (entries with `empty_layer` make
 * none), and marked inherited when it sits in the base image (Trivy's GuessBaseImageIndex idea:
 * the last empty-layer CMD before the final layer-producing step ends the base image).
 */
import type { HistoryEntry } from '../../image/types.js';

export type Producer = 'classic' | 'buildkit' | 'buildah' | 'unknown';

export interface BuildStep {
  /** Position in `config.history`. */
  index: number;
  raw: string;
  producer: Producer;
  /** Upper-case Dockerfile instruction, or '' when the text is opaque (docker commit, Bazel, apko…). */
  instruction: string;
  /** Text after the instruction keyword, whitespace collapsed. */
  args: string;
  /** RUN only: the shell command. */
  command?: string;
  /** RUN only: the shell invocation (`/bin/sh -c`). */
  shell?: string;
  /** `|N K=V …` build arguments recorded before a RUN. */
  buildArgs: Array<{ name: string; value: string }>;
  emptyLayer: boolean;
  /** Index in rootfs.diff_ids, when history and layers line up. */
  layerIndex: number | null;
  layerDiffId: string | null;
  /** Part of the base image rather than this image's own build. */
  inherited: boolean;
  /** Normalised instruction text (not yet masked or shortened). */
  text: string;
}

const KEYWORDS = new Set(['RUN', 'ADD', 'COPY', 'ENV', 'ARG', 'USER', 'EXPOSE', 'CMD', 'ENTRYPOINT', 'HEALTHCHECK', 'LABEL', 'WORKDIR', 'VOLUME', 'SHELL', 'ONBUILD', 'STOPSIGNAL', 'MAINTAINER', 'FROM']);
const SHELL_PROGRAM = /^\/?(?:[\w.-]+\/)*(?:sh|bash|ash|dash|zsh|ksh|mksh|busybox)$/;
/** Longest history text looked at: bounds work on hostile configs. */
const MAX_CREATED_BY = 65_536;

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Splits `<shell> [opts] -c CMD`; null when the text does not start with a shell invocation. */
function splitShell(text: string): { shell: string; command: string } | null {
  const words = text.split(/\s+/, 6);
  if (!SHELL_PROGRAM.test(words[0] ?? '')) return null;
  const m = /^(\S+(?:\s+(?!-c\s)\S+){0,4}?\s+-c)(?:\s+|$)/.exec(text);
  if (!m) return null;
  return { shell: m[1] as string, command: text.slice(m[0].length) };
}

/** `|N K1=V1 … Kn=Vn rest` → the pairs and the rest. */
function splitBuildArgs(text: string): { args: Array<{ name: string; value: string }>; rest: string } {
  const m = /^\|(\d{1,4})\s+/.exec(text);
  if (!m) return { args: [], rest: text };
  let rest = text.slice(m[0].length);
  const args: Array<{ name: string; value: string }> = [];
  for (let k = 0; k < Number(m[1]); k++) {
    const kv = /^([A-Za-z_][A-Za-z0-9_]*)=(\S*)\s*/.exec(rest);
    if (!kv) break;
    args.push({ name: kv[1] as string, value: kv[2] as string });
    rest = rest.slice(kv[0].length);
  }
  return { args, rest };
}

interface Parsed {
  producer: Producer;
  instruction: string;
  args: string;
  command?: string;
  shell?: string;
  buildArgs: Array<{ name: string; value: string }>;
}

function parseRun(body: string, producer: Producer): Parsed | null {
  const { args: buildArgs, rest } = splitBuildArgs(body);
  if (rest.startsWith('[')) {
    try {
      const argv = JSON.parse(rest) as unknown;
      if (Array.isArray(argv) && argv.every((a) => typeof a === 'string')) {
        const sh = splitShell(argv.slice(0, -1).join(' ') + ' ');
        const command = sh ? (argv[argv.length - 1] as string) : argv.join(' ');
        return { producer, instruction: 'RUN', args: command, command, buildArgs };
      }
    } catch {
      // not JSON: fall through to shell form
    }
  }
  const sh = splitShell(rest);
  if (!sh) return producer === 'buildkit' ? { producer, instruction: 'RUN', args: rest, command: rest, buildArgs } : null;
  return { producer, instruction: 'RUN', args: sh.command, command: sh.command, shell: sh.shell, buildArgs };
}

export function parseCreatedBy(createdBy: string): Parsed {
  let text = createdBy.length > MAX_CREATED_BY ? createdBy.slice(0, MAX_CREATED_BY) : createdBy;
  let producer: Producer = 'unknown';
  if (/\s#\s?buildkit$/.test(text)) {
    producer = 'buildkit';
    text = text.replace(/\s*#\s?buildkit$/, '');
  }
  // Buildah/Podman append `|key=value` tokens (no spaces) after the instruction.
  const buildah = /(?:\|[a-zA-Z][\w-]*=[^|\s]*)+\s*$/.exec(text);
  if (buildah && producer !== 'buildkit' && /#\(nop\)|\s-c\s/.test(text)) {
    producer = 'buildah';
    text = text.slice(0, buildah.index);
  }
  text = text.trim();
  const nop = /^(\S+(?:\s+\S+){0,3}?)\s+-c\s+#\(nop\)\s+(.*)$/s.exec(text);
  if (nop) {
    if (producer === 'unknown') producer = 'classic';
    const body = nop[2] as string;
    const kw = /^([A-Z]+)\b\s*(.*)$/s.exec(body);
    if (kw && KEYWORDS.has(kw[1] as string)) return { producer, instruction: kw[1] as string, args: collapse(kw[2] as string), buildArgs: [] };
    return { producer, instruction: '', args: collapse(body), buildArgs: [] };
  }
  const kw = /^([A-Z]+)\s+(.*)$/s.exec(text);
  if (kw && KEYWORDS.has(kw[1] as string)) {
    if (producer === 'unknown') producer = 'buildkit';
    if (kw[1] === 'RUN') return parseRun(kw[2] as string, producer) ?? { producer, instruction: 'RUN', args: collapse(kw[2] as string), command: kw[2] as string, buildArgs: [] };
    return { producer, instruction: kw[1] as string, args: collapse(kw[2] as string), buildArgs: [] };
  }
  // Classic RUN: `[|N k=v …] /bin/sh -c CMD`.
  const run = parseRun(text, producer === 'unknown' ? 'classic' : producer);
  if (run) return run;
  return { producer, instruction: '', args: collapse(text), buildArgs: [] };
}

/** `ADD file:<64 hex> in /x` → `ADD file:<12 hex> /x`, the way the catalog normalises content hashes. */
function displayArgs(instruction: string, args: string): string {
  if (instruction !== 'ADD' && instruction !== 'COPY') return args;
  return args.replace(/^((?:file|dir|multi):)([0-9a-f]{12})[0-9a-f]{52}\s+in\s+/, '$1$2 ');
}

function isBaseCmd(h: HistoryEntry): boolean {
  const c = h.created_by ?? '';
  return /^\S+(?:\s+\S+){0,3}?\s+-c\s+#\(nop\)\s+CMD\b/.test(c) || c.startsWith('CMD ');
}

/** The classic root-filesystem step of a distribution image: `ADD file:<hash> in /`. */
export function isRootfsAdd(createdBy: string): boolean {
  return /#\(nop\)\s+ADD\s+file:[0-9a-f]{12,64}\s+in\s+\/\s*$/.test(createdBy);
}

/**
 * Index of the last history entry that belongs to the base image, or -1. An image whose only
 * layer is its root-filesystem ADD is itself a base image: all of its history is base.
 */
export function baseImageBoundary(history: readonly HistoryEntry[]): number {
  let sawLayer = false;
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i] as HistoryEntry;
    if (!sawLayer) {
      if (h.empty_layer) continue; // trailing metadata of this image (CMD, EXPOSE…)
      sawLayer = true;
    }
    if (h.empty_layer && isBaseCmd(h)) return i;
  }
  const layered = history.filter((h) => !h.empty_layer);
  return layered.length === 1 && isRootfsAdd(layered[0]?.created_by ?? '') ? history.length - 1 : -1;
}

export function buildSteps(history: readonly HistoryEntry[], diffIds: readonly string[]): BuildStep[] {
  const layered = history.filter((h) => !h.empty_layer).length;
  const aligned = layered === diffIds.length;
  const boundary = baseImageBoundary(history);
  let layer = 0;
  return history.map((h, index) => {
    const raw = h.created_by ?? '';
    const p = parseCreatedBy(raw);
    const emptyLayer = h.empty_layer === true;
    const layerIndex = emptyLayer ? null : layer++;
    const args = displayArgs(p.instruction, p.args);
    const text = p.instruction === 'RUN' ? `RUN ${collapse(p.command ?? p.args)}` : p.instruction ? `${p.instruction} ${args}`.trim() : args;
    return {
      index,
      raw,
      producer: p.producer,
      instruction: p.instruction,
      args,
      ...(p.command !== undefined ? { command: p.command } : {}),
      ...(p.shell !== undefined ? { shell: p.shell } : {}),
      buildArgs: p.buildArgs,
      emptyLayer,
      layerIndex: aligned ? layerIndex : null,
      layerDiffId: aligned && layerIndex !== null ? (diffIds[layerIndex] ?? null) : null,
      inherited: index <= boundary,
      text,
    };
  });
}
