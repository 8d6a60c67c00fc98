/** One measured figure, with the baseline it is compared to (measured in the same run). */
export interface BenchRow {
  metric: string;
  value: number;
  unit: string;
  /** The same quantity for the baseline (floor or peer tool), when there is one. */
  baseline?: { name: string; value: number };
  /** Target as text, e.g. `≤ 1.5× floor`; `pass` says whether this run met it. */
  target?: string;
  pass?: boolean;
}

export interface BenchReport {
  title: string;
  rows: BenchRow[];
  notes?: string[];
}

/** A benchmark file default-exports one of these. Keep runs bounded: they also run on CI boxes. */
export type Bench = (opts: { workDir: string; quick: boolean }) => Promise<BenchReport>;
