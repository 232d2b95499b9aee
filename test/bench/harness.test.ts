// The benchmark harness: order statistics, target verdicts and tables are right, and the runner
// runs scenarios end to end (in-process and with child processes) at a tiny scale. Performance
// itself is judged by `npm run bench`, never here.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { evaluate, metric, record } from "../../bench/lib/metric.js";
import { markdownTable, tableRows } from "../../bench/lib/report.js";
import { alternate } from "../../bench/lib/scenario.js";
import { quantile, summarize } from "../../bench/lib/stats.js";

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

  it("judges targets by the ratio of medians, in the metric's direction", () => {
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
      "0.50",
    ]);
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
