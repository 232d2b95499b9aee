// One measured quantity of a scenario, with the samples of both stacks and the target ratio.
import { type Summary, summarize } from "./stats.js";

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
  switchyard: number[];
  /** Empty when the official stack has no counterpart (e.g. a NATS adapter). */
  official: number[];
  /** The label of the official column when it is not the plain official stack. */
  baseline?: string;
  /** The label of the switchyard column when it holds something else (e.g. a floor server). */
  subject?: string;
}

/** A metric's summaries, its median ratio and whether the target holds. */
export interface MetricResult {
  metric: Metric;
  ours: Summary;
  theirs: Summary;
  /** median(switchyard) / median(official); NaN without a baseline. */
  ratio: number;
  /** undefined when the metric has no target or no baseline. */
  met: boolean | undefined;
}

export function evaluate(metric: Metric): MetricResult {
  const ours = summarize(metric.switchyard);
  const theirs = summarize(metric.official);
  const ratio = ours.median / theirs.median;
  let met: boolean | undefined;
  if (metric.target !== undefined && Number.isFinite(ratio)) {
    met = metric.lowerIsBetter ? ratio <= metric.target : ratio >= metric.target;
  }
  return { metric, ours, theirs, ratio, met };
}

/** Creates an empty metric to push samples into. */
export function metric(
  name: string,
  unit: string,
  options: { lowerIsBetter?: boolean; target?: number; baseline?: string; subject?: string } = {},
): Metric {
  const out: Metric = {
    name,
    unit,
    lowerIsBetter: options.lowerIsBetter ?? true,
    switchyard: [],
    official: [],
  };
  if (options.target !== undefined) out.target = options.target;
  if (options.baseline !== undefined) out.baseline = options.baseline;
  if (options.subject !== undefined) out.subject = options.subject;
  return out;
}

/** Appends one round's value to the stack's samples. */
export function record(target: Metric, impl: Impl, value: number): void {
  target[impl].push(value);
}
