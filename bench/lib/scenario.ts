// What a benchmark scenario is, and the alternation of rounds between the two stacks.
import type { Impl, Metric } from "./metric.js";

/** Run settings shared by every scenario. */
export interface ScenarioContext {
  /** Measured rounds per stack (after one warm-up round each, not recorded). */
  rounds: number;
  /** Scale factor for load sizes and durations: 1 = the full run, < 1 = a quick smoke run. */
  scale: number;
  /** Progress line to stderr. */
  log(line: string): void;
}

/** One named scenario: runs both stacks for ctx.rounds and returns its metrics. */
export interface Scenario {
  name: string;
  /** One line: what is measured, with which load. */
  description: string;
  run(ctx: ScenarioContext): Promise<Metric[]>;
  /** Extra notes printed under the table (e.g. which baseline is used). */
  notes?: string[];
}

/**
 * Runs `round(impl, index)` for a warm-up round of each stack, then `rounds` measured rounds,
 * swapping the order every round (S O, O S, S O, …) so slow drifts of a shared machine hit both
 * stacks alike. `measured` is false during the warm-up.
 */
export async function alternate(
  rounds: number,
  round: (impl: Impl, index: number, measured: boolean) => Promise<void>,
): Promise<void> {
  await round("switchyard", -1, false);
  await round("official", -1, false);
  for (let i = 0; i < rounds; i++) {
    const order: Impl[] = i % 2 === 0 ? ["switchyard", "official"] : ["official", "switchyard"];
    for (const impl of order) await round(impl, i, true);
  }
}

/** `n` scaled by ctx.scale, at least `min`. */
export function scaled(ctx: ScenarioContext, n: number, min = 1): number {
  return Math.max(min, Math.round(n * ctx.scale));
}
