// One measured quantity of a scenario, with the samples of both stacks and the target ratio.
import { pairRatios, type Spread, type Summary, spreadOf, summarize } from "./stats.js";

/** The stacks a scenario compares. */
export type Impl = "switchyard" | "official";
export const IMPLS: readonly Impl[] = ["switchyard", "official"];

/** Samples of one metric, one per round, for each stack. */
export interface Metric {
  /** e.g. "server CPU per delivery". */
  name: string;
  /** e.g. "µs", "KiB", "msg/s". */
  unit: string;
  /** Whether a smaller value is better (CPU, latency, memory); false for throughput. */
  lowerIsBetter: boolean;
  /** Target for switchyard/official (≤ target when lowerIsBetter, else ≥). */
  target?: number;
  /**
   * `absolute`: the target is on switchyard's own median, in `unit` (e.g. ≤ 3 KiB per
   * connection), its spread judged on switchyard's interquartile range. @default "ratio"
   */
  targetOn?: "ratio" | "absolute";
  switchyard: number[];
  /** Empty when the official stack has no counterpart (e.g. a NATS adapter). */
  official: number[];
  /** The label of the official column when it is not the plain official stack. */
  baseline?: string;
  /** The label of the switchyard column when it holds something else (e.g. a floor server). */
  subject?: string;
  /**
   * The round of each sample, when `record` was given it (rows with several samples per round,
   * or rounds that may record nothing): pairs then go by round rather than by position.
   */
  rounds?: { switchyard: number[]; official: number[] };
}

/** A metric's summaries, its ratio with the spread of the per-round ratios, and the verdict. */
export interface MetricResult {
  metric: Metric;
  ours: Summary;
  theirs: Summary;
  /**
   * The median of the per-round pair ratios switchyard ÷ official (`pairs`), or, when the
   * samples cannot be paired, median(switchyard) ÷ median(official); NaN without a baseline.
   */
  ratio: number;
  /** The spread of the per-round pair ratios; undefined when the samples are not paired. */
  pairs: Spread | undefined;
  /** Whether `ratio` meets the target; undefined when the metric has no target or no baseline. */
  met: boolean | undefined;
  /**
   * Whether the whole interquartile range of the pair ratios meets the target too (a verdict the
   * noise does not flip); undefined when `met` is, or the samples are not paired.
   */
  firm: boolean | undefined;
}

function meets(metric: Metric, ratio: number): boolean {
  const target = metric.target ?? Number.NaN;
  return metric.lowerIsBetter ? ratio <= target : ratio >= target;
}

/**
 * The verdict of `value` against the metric's target, and whether the spread `low`–`high` (the
 * interquartile range around it) leaves that verdict alone.
 */
function judge(
  metric: Metric,
  value: number,
  low: number,
  high: number,
): Pick<MetricResult, "met" | "firm"> {
  const met = meets(metric, value);
  const worst = metric.lowerIsBetter ? high : low;
  const best = metric.lowerIsBetter ? low : high;
  return { met, firm: met ? meets(metric, worst) : !meets(metric, best) };
}

export function evaluate(metric: Metric): MetricResult {
  const ours = summarize(metric.switchyard);
  const theirs = summarize(metric.official);
  const ratios = pairRatios(
    { values: metric.switchyard, ...(metric.rounds && { rounds: metric.rounds.switchyard }) },
    { values: metric.official, ...(metric.rounds && { rounds: metric.rounds.official }) },
  );
  const pairs = ratios === undefined || ratios.length === 0 ? undefined : spreadOf(ratios);
  const ratio = pairs?.median ?? ours.median / theirs.median;
  const result: MetricResult = {
    metric,
    ours,
    theirs,
    ratio,
    pairs,
    met: undefined,
    firm: undefined,
  };
  if (metric.target === undefined) return result;
  if (metric.targetOn === "absolute") {
    const own = spreadOf(metric.switchyard);
    return Number.isFinite(own.median)
      ? { ...result, ...judge(metric, own.median, own.q1, own.q3) }
      : result;
  }
  if (!Number.isFinite(ratio)) return result;
  if (pairs === undefined) return { ...result, met: meets(metric, ratio) };
  return { ...result, ...judge(metric, ratio, pairs.q1, pairs.q3) };
}

/** Creates an empty metric to push samples into. */
export function metric(
  name: string,
  unit: string,
  options: {
    lowerIsBetter?: boolean;
    target?: number;
    targetOn?: "ratio" | "absolute";
    baseline?: string;
    subject?: string;
  } = {},
): Metric {
  const out: Metric = {
    name,
    unit,
    lowerIsBetter: options.lowerIsBetter ?? true,
    switchyard: [],
    official: [],
  };
  if (options.target !== undefined) out.target = options.target;
  if (options.targetOn !== undefined) out.targetOn = options.targetOn;
  if (options.baseline !== undefined) out.baseline = options.baseline;
  if (options.subject !== undefined) out.subject = options.subject;
  return out;
}

/**
 * Appends one round's value to the stack's samples. Give `round` (the index `alternate()` passes)
 * when a row may record several samples in a round, or none: its pair ratios then go by round.
 * Give it for every sample of the row, or for none.
 */
export function record(target: Metric, impl: Impl, value: number, round?: number): void {
  target[impl].push(value);
  if (round === undefined) return;
  target.rounds ??= { switchyard: [], official: [] };
  target.rounds[impl].push(round);
}
