// The benchmark harness: order statistics, target verdicts and tables are right, and the runner
// runs scenarios end to end (in-process and with child processes) at a tiny scale. Performance
// itself is judged by `npm run bench`, never here.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { evaluate, metric, record } from "../../bench/lib/metric.js";
import { markdownTable, noisyNote, runsRows, tableRows } from "../../bench/lib/report.js";
import { alternate } from "../../bench/lib/scenario.js";
import {
  interpolatedQuantile,
  pairRatios,
  quantile,
  relativeSpread,
  spreadOf,
  summarize,
} from "../../bench/lib/stats.js";
import { backoffDelay } from "../../bench/scenarios/reconnect-storm/storm-client.js";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");

describe("bench statistics", () => {
  it("summarises odd and even sample counts", () => {
    expect(summarize([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
    expect(summarize([]).median).toBeNaN();
  });

  it("takes nearest-rank quantiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile(values, 0.99)).toBe(99);
    expect(quantile(values, 1)).toBe(100);
  });

  it("interpolates quartiles between the nearest ranks", () => {
    expect(interpolatedQuantile([4, 1, 3, 2], 0.25)).toBe(1.75);
    expect(interpolatedQuantile([4, 1, 3, 2], 0.75)).toBe(3.25);
    expect(interpolatedQuantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(interpolatedQuantile([7], 0.25)).toBe(7);
    expect(interpolatedQuantile([], 0.5)).toBeNaN();
    const s = spreadOf([0.6, 0.4, 0.5, 0.55, 0.45]);
    expect(s).toEqual({ median: 0.5, min: 0.4, max: 0.6, q1: 0.45, q3: 0.55, n: 5 });
    expect(relativeSpread(s)).toBeCloseTo(0.1, 12);
  });

  it("pairs the rounds by position: the median of the pair ratios, not the ratio of medians", () => {
    // Ratio of medians: 10 / 5 = 2; the pairs say 0.5, 2 and 0.1.
    const ours = { values: [1, 10, 100] };
    const theirs = { values: [2, 5, 1000] };
    expect(pairRatios(ours, theirs)).toEqual([0.5, 2, 0.1]);
    const m = metric("cpu", "µs", { target: 1 });
    for (const v of ours.values) record(m, "switchyard", v);
    for (const v of theirs.values) record(m, "official", v);
    const result = evaluate(m);
    expect(result.ratio).toBe(0.5);
    expect(result.pairs).toMatchObject({ median: 0.5, q3: 1.25, min: 0.1, max: 2 });
    expect(result.pairs?.q1).toBeCloseTo(0.3, 12);
    expect(result.met).toBe(true);
    // The third quartile (1.25) is past the target: a verdict the noise can flip.
    expect(result.firm).toBe(false);
  });

  it("cancels a drift of the machine that hits both stacks of a round", () => {
    // The machine slows down 8× over the run; switchyard costs 40 % of official in every round.
    const official = [10, 20, 80, 40, 15];
    const m = metric("cpu", "µs", { target: 0.5 });
    for (const v of official) {
      record(m, "switchyard", 0.4 * v);
      record(m, "official", v);
    }
    const result = evaluate(m);
    expect(result.ratio).toBeCloseTo(0.4, 12);
    expect((result.pairs?.q3 ?? 0) - (result.pairs?.q1 ?? 1)).toBeCloseTo(0, 12);
    expect(result.firm).toBe(true);
  });

  it("pairs by round when samples carry it, and falls back to medians when they cannot pair", () => {
    // Round 0: medians 2 vs 4; round 1: 4 vs 8; round 2 has no switchyard sample.
    expect(
      pairRatios(
        { values: [1, 3, 4], rounds: [0, 0, 1] },
        { values: [4, 8, 9], rounds: [0, 1, 2] },
      ),
    ).toEqual([0.5, 0.5]);
    expect(pairRatios({ values: [1, 2] }, { values: [1] })).toBeUndefined();
    // A NaN sample (a round without latency samples) drops that pair only.
    expect(pairRatios({ values: [1, Number.NaN, 3] }, { values: [2, 2, 2] })).toEqual([0.5, 1.5]);
    const m = metric("restore", "ms", { target: 0.5 });
    record(m, "switchyard", 2);
    record(m, "switchyard", 4);
    record(m, "official", 10);
    const result = evaluate(m);
    expect(result.pairs).toBeUndefined();
    expect(result.ratio).toBeCloseTo(0.3, 12);
    expect(tableRows([result])[1]?.[3]).toBe("0.30 (of medians)");
    const byRound = metric("restore", "ms", { target: 0.5 });
    record(byRound, "switchyard", 2, 0);
    record(byRound, "switchyard", 4, 1);
    record(byRound, "switchyard", 6, 1);
    record(byRound, "official", 10, 0);
    record(byRound, "official", 10, 1);
    expect(evaluate(byRound)).toMatchObject({ ratio: 0.35, pairs: { min: 0.2, max: 0.5, n: 2 } });
  });

  it("flags a target row whose pair ratios spread wider than ±10 %", () => {
    const steady = metric("steady", "µs", { target: 1 });
    const noisy = metric("noisy", "µs", { target: 1 });
    const untargeted = metric("untargeted", "µs");
    for (const [i, v] of [0.5, 0.7, 0.9, 1.1, 1.3].entries()) {
      record(steady, "switchyard", 0.5 + i * 0.01);
      record(steady, "official", 1);
      record(noisy, "switchyard", v);
      record(noisy, "official", 1);
      record(untargeted, "switchyard", v);
      record(untargeted, "official", 1);
    }
    const note = noisyNote([steady, noisy, untargeted].map(evaluate));
    expect(note).toContain("noisy (±22 %)");
    expect(note).not.toContain("steady");
    expect(note).not.toContain("untargeted");
    expect(noisyNote([evaluate(steady)])).toBeUndefined();
  });

  it("holds a target over several runs only if every run holds it", () => {
    const runOf = (ratio: number) => {
      const m = metric("cpu", "µs", { target: 0.5 });
      record(m, "switchyard", ratio);
      record(m, "official", 1);
      return [evaluate(m)];
    };
    expect(runsRows([runOf(0.4), runOf(0.45)])[1]).toEqual([
      "cpu",
      "0.40 (0.40–0.40)",
      "0.45 (0.45–0.45)",
      "≤ 0.5",
      "✓ 2 of 2 runs",
    ]);
    expect(runsRows([runOf(0.4), runOf(0.6)])[1]?.at(-1)).toBe("✗ 1 of 2 runs");
    // A run that failed outright counts as not held.
    expect(runsRows([runOf(0.4)], 2)[1]?.at(-1)).toBe("✗ 1 of 2 runs");
  });

  it("judges an absolute target on switchyard's own median, whatever the ratio", () => {
    const heap = metric("heap per connection", "KiB", { target: 3, targetOn: "absolute" });
    for (const v of [2.5, 2.8, 2.9]) record(heap, "switchyard", v);
    for (const v of [2, 2, 2]) record(heap, "official", v);
    const result = evaluate(heap);
    expect(result.ratio).toBeGreaterThan(1);
    expect(result).toMatchObject({ met: true, firm: true });
    expect(tableRows([result])[1]?.[4]).toBe("≤ 3 KiB (switchyard) ✓");
    record(heap, "switchyard", 3.5);
    record(heap, "switchyard", 3.6);
    expect(evaluate(heap)).toMatchObject({ met: true, firm: false });
  });

  it("judges targets by the median pair ratio, in the metric's direction", () => {
    const cpu = metric("cpu", "µs", { target: 0.5 });
    for (const v of [1, 2, 3]) record(cpu, "switchyard", v);
    for (const v of [4, 5, 6]) record(cpu, "official", v);
    expect(evaluate(cpu)).toMatchObject({ ratio: 0.4, met: true });
    const rate = metric("rate", "/s", { lowerIsBetter: false, target: 1.5 });
    record(rate, "switchyard", 10);
    record(rate, "official", 10);
    expect(evaluate(rate).met).toBe(false);
    expect(evaluate(metric("no baseline", "B")).met).toBeUndefined();
  });

  it("alternates the stacks' order every round after one warm-up each", async () => {
    const order: string[] = [];
    await alternate(3, async (impl, index, measured) => {
      order.push(`${impl[0]}${measured ? index : "w"}`);
    });
    expect(order).toEqual(["sw", "ow", "s0", "o0", "o1", "s1", "s2", "o2"]);
  });

  it("prints a Markdown table with the verdict", () => {
    const m = metric("heap", "KiB", { target: 0.5 });
    record(m, "switchyard", 4.8);
    record(m, "official", 10.3);
    const table = markdownTable(tableRows([evaluate(m)]));
    expect(table.split("\n")).toHaveLength(3);
    expect(table).toContain("0.47");
    expect(table).toContain("≤ 0.5 ✓");
  });

  it("labels a column that holds something other than its stack", () => {
    const m = metric("CPU", "µs", { subject: "floor", baseline: "direct" });
    record(m, "switchyard", 40);
    record(m, "official", 80);
    const [, row] = tableRows([evaluate(m)]);
    expect(row?.slice(1, 4)).toEqual([
      "40.0 µs (40.0–40.0) [floor]",
      "80.0 µs (80.0–80.0) [direct]",
      "0.50 (0.50–0.50)",
    ]);
  });
});

describe("reconnect storm clients", () => {
  it("wait as socket.io-client does: 1 s ± 50 %, doubling, at most 5 s", () => {
    const backoff = { minMs: 1_000, maxMs: 5_000, jitter: 0.5 };
    const first = Array.from({ length: 2_000 }, () => backoffDelay(backoff, 0));
    expect(Math.min(...first)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...first)).toBeLessThanOrEqual(1_500);
    // Spread over the whole window, not one value.
    expect(Math.max(...first) - Math.min(...first)).toBeGreaterThan(800);
    const second = Array.from({ length: 2_000 }, () => backoffDelay(backoff, 1));
    expect(Math.min(...second)).toBeGreaterThanOrEqual(1_000);
    expect(Math.max(...second)).toBeLessThanOrEqual(3_000);
    const late = Array.from({ length: 200 }, () => backoffDelay(backoff, 6));
    expect(Math.max(...late)).toBeLessThanOrEqual(5_000);
    expect(Math.min(...late)).toBeGreaterThanOrEqual(2_500);
  });
});

describe("bench runner", () => {
  it("runs an in-process scenario and two child-process scenarios end to end", async () => {
    const { stdout } = await run(
      process.execPath,
      [
        "--import",
        "tsx",
        "bench/run.ts",
        "bundle",
        "echo",
        "polling",
        "--rounds",
        "1",
        "--scale",
        "0.05",
        "--no-record",
      ],
      { cwd: root, timeout: 60_000 },
    );
    expect(stdout).toContain("IIFE gzip -9");
    expect(stdout).toMatch(/server CPU per ack \(closed loop\)\s*\|\s*[\d.,]+ µs/);
    // The echo and polling floors run in the same rounds, labelled in the left column.
    const floors = [
      "floor: bare ws, no Engine.IO",
      "floor: node:http, no Engine.IO",
      "floor: bare TCP, minimal HTTP",
    ];
    for (const floor of floors) {
      expect(stdout).toMatch(new RegExp(`[\\d.,]+ µs \\([^)]*\\) \\[${floor}\\]`));
    }
    expect(stdout).not.toContain("appended to");
  }, 90_000);

  it("runs the list twice with --runs 2 and judges the targets over both runs", async () => {
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", "bench/run.ts", "bundle", "--runs", "2", "--no-record"],
      { cwd: root, timeout: 60_000 },
    );
    expect(stdout).toContain("== bundle (run 1 of 2)");
    expect(stdout).toContain("== bundle (run 2 of 2)");
    expect(stdout).toMatch(/targets over 2 separate runs[\s\S]*IIFE gzip -9 .*[✓✗] \d of 2 runs/);
  }, 90_000);

  it("refuses an unknown scenario with exit code 2", async () => {
    const failed = await run(process.execPath, ["--import", "tsx", "bench/run.ts", "nope"], {
      cwd: root,
      timeout: 30_000,
    }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain("unknown scenario(s): nope");
  });
});
