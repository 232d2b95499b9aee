// Order statistics of one metric's samples, and of the per-round ratios of two stacks. Pure.

/** The q-quantile (0 ≤ q ≤ 1) of `values` by nearest rank; NaN for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of `values` interpolated between the two nearest ranks (the
 * "type 7" definition of R and NumPy's default): for a handful of rounds, a quartile that moves
 * with every sample rather than jumping to one of them. NaN for no values.
 */
export function interpolatedQuantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = Math.min(1, Math.max(0, q)) * (sorted.length - 1);
  const below = Math.floor(position);
  const low = sorted[below] ?? Number.NaN;
  const high = sorted[Math.min(sorted.length - 1, below + 1)] ?? Number.NaN;
  return low + (high - low) * (position - below);
}

/** Median, min and max of the samples. */
export interface Summary {
  median: number;
  min: number;
  max: number;
}

/** Summarises samples; NaN everywhere for none. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] ?? Number.NaN)
      : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
  return { median, min: sorted[0] ?? Number.NaN, max: sorted[sorted.length - 1] ?? Number.NaN };
}

/** A summary with its interquartile range and sample count. */
export interface Spread extends Summary {
  /** First and third quartiles (interpolated). */
  q1: number;
  q3: number;
  n: number;
}

/** Median, quartiles, min, max and count; NaN everywhere (n = 0) for none. */
export function spreadOf(values: readonly number[]): Spread {
  return {
    ...summarize(values),
    q1: interpolatedQuantile(values, 0.25),
    q3: interpolatedQuantile(values, 0.75),
    n: values.length,
  };
}

/** Half the interquartile range relative to the median (0.05 = ±5 %); NaN when undefined. */
export function relativeSpread(spread: Spread): number {
  return (spread.q3 - spread.q1) / 2 / Math.abs(spread.median);
}

/** One stack's samples of a metric, with the round each came from when known. */
export interface Samples {
  values: readonly number[];
  /** `rounds[i]` is the round of `values[i]`; same length as `values`. */
  rounds?: readonly number[];
}

/**
 * The ratio ours ÷ theirs of every round both stacks have samples in: the ratio of a round's
 * adjacent pair, so a drift of a shared machine between rounds cancels out. Samples that carry
 * their rounds are grouped by round (several samples of a round: the ratio of the round's
 * medians); samples without rounds pair by position, the i-th of each stack being the i-th
 * round's. `undefined` when the samples cannot be paired (counts differ and no rounds); pairs
 * whose ratio is not finite (a NaN sample, a zero denominator) are left out.
 */
export function pairRatios(ours: Samples, theirs: Samples): number[] | undefined {
  const labelled =
    ours.rounds?.length === ours.values.length && theirs.rounds?.length === theirs.values.length;
  if (labelled) {
    const a = byRound(ours);
    const b = byRound(theirs);
    const ratios: number[] = [];
    for (const [round, values] of a) {
      const other = b.get(round);
      if (other === undefined) continue;
      ratios.push(summarize(values).median / summarize(other).median);
    }
    return ratios.filter(Number.isFinite);
  }
  if (ours.values.length !== theirs.values.length) return undefined;
  return ours.values.map((v, i) => v / (theirs.values[i] ?? Number.NaN)).filter(Number.isFinite);
}

function byRound(samples: Samples): Map<number, number[]> {
  const out = new Map<number, number[]>();
  samples.values.forEach((value, i) => {
    const round = samples.rounds?.[i] ?? i;
    const list = out.get(round);
    if (list === undefined) out.set(round, [value]);
    else list.push(value);
  });
  return new Map([...out].sort(([a], [b]) => a - b));
}
