// Tables of a scenario's results: plain text for the terminal, Markdown for bench/results.md.

import { execFileSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";
import type { MetricResult } from "./metric.js";
import { relativeSpread, type Summary } from "./stats.js";

/** A ratio whose interquartile range is wider than ± this share of its median is flagged noisy. */
export const NOISY_SPREAD = 0.1;

/** Where and when a run happened. */
export interface RunMeta {
  date: string;
  node: string;
  machine: string;
  commit: string;
  rounds: number;
  scale: number;
  /** Separate runs of the scenarios (`--runs`): a target holds only if it holds in each. */
  runs: number;
  /** The `BENCH_*` environment variables set for the run (`NAME=value`), e.g. a client count. */
  settings: string[];
}

export function runMeta(rounds: number, scale: number, runs = 1): RunMeta {
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    // not a git checkout
  }
  const cores = cpus();
  const load = loadavg()
    .map((n) => n.toFixed(1))
    .join(" ");
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    node: process.version,
    machine: `${cores.length} × ${cores[0]?.model.trim() ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, load ${load}`,
    commit,
    rounds,
    scale,
    runs,
    settings: Object.entries(process.env)
      .filter(([name, value]) => name.startsWith("BENCH_") && value !== undefined && value !== "")
      .map(([name, value]) => `${name}=${value}`)
      .sort(),
  };
}

/** 3 significant digits, thousands separated. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return "–";
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return n.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function cell(summary: Summary, unit: string): string {
  if (!Number.isFinite(summary.median)) return "–";
  return `${formatNumber(summary.median)} ${unit} (${formatNumber(summary.min)}–${formatNumber(summary.max)})`;
}

/** `≤ 0.5`, or `≤ 3 KiB (switchyard)` for a target on switchyard's own figure. */
function targetText(metric: MetricResult["metric"]): string {
  const bound = `${metric.lowerIsBetter ? "≤" : "≥"} ${metric.target}`;
  return metric.targetOn === "absolute" ? `${bound} ${metric.unit} (switchyard)` : bound;
}

function targetCell(result: MetricResult): string {
  if (result.metric.target === undefined) return "";
  let verdict = result.met === undefined ? "" : result.met ? " ✓" : " ✗";
  if (result.firm === false) verdict += " (IQR crosses)";
  return `${targetText(result.metric)}${verdict}`;
}

function ratio(n: number): string {
  return Number.isFinite(n) ? n.toFixed(2) : "–";
}

/** `0.47 (0.45–0.50)`: the median pair ratio and its IQR; `0.47 (of medians)` when unpaired. */
function ratioCell(result: MetricResult): string {
  if (!Number.isFinite(result.ratio)) return "–";
  const { pairs } = result;
  if (pairs === undefined) return `${ratio(result.ratio)} (of medians)`;
  return `${ratio(result.ratio)} (${ratio(pairs.q1)}–${ratio(pairs.q3)})`;
}

/** The rows of a result table (header first). */
export function tableRows(results: readonly MetricResult[]): string[][] {
  const rows = [
    [
      "metric",
      "switchyard median (min–max)",
      "official median (min–max)",
      "ratio: median of round pairs (IQR)",
      "target",
    ],
  ];
  for (const result of results) {
    const baseline = result.metric.baseline === undefined ? "" : ` [${result.metric.baseline}]`;
    const subject = result.metric.subject === undefined ? "" : ` [${result.metric.subject}]`;
    rows.push([
      result.metric.name,
      `${cell(result.ours, result.metric.unit)}${subject}`,
      `${cell(result.theirs, result.metric.unit)}${baseline}`,
      ratioCell(result),
      targetCell(result),
    ]);
  }
  return rows;
}

/** A result's label, unique within its scenario: name plus column labels. */
export function resultKey(result: MetricResult): string {
  const { name, subject, baseline } = result.metric;
  return [name, subject && `[${subject}]`, baseline && `vs [${baseline}]`]
    .filter(Boolean)
    .join(" ");
}

/**
 * A note on the rows with a target whose pair ratios spread wider than ±{@link NOISY_SPREAD} of
 * their median, or undefined when there are none.
 */
export function noisyNote(results: readonly MetricResult[]): string | undefined {
  const noisy = results.flatMap((r) => {
    if (r.metric.target === undefined || r.metric.targetOn === "absolute") return [];
    if (r.pairs === undefined) return [];
    const spread = relativeSpread(r.pairs);
    return spread <= NOISY_SPREAD ? [] : [`${resultKey(r)} (±${percent(spread)})`];
  });
  if (noisy.length === 0) return undefined;
  return (
    `noisy (IQR of the pair ratios wider than ±${percent(NOISY_SPREAD)} of their median): ` +
    `${noisy.join("; ")}. More rounds (--rounds) or a quieter machine.`
  );
}

function percent(share: number): string {
  return Number.isFinite(share) ? `${Math.round(share * 100)} %` : "?";
}

/**
 * The verdict over several separate runs of one scenario: each target row's ratio in every run,
 * held (✓) only when every one of `total` runs meets it (a run that failed counts as not held).
 */
export function runsRows(
  runs: readonly (readonly MetricResult[])[],
  total = runs.length,
): string[][] {
  const header = ["metric", ...runs.map((_, i) => `run ${i + 1}`), "target", "held"];
  const rows = [header];
  const first = runs[0] ?? [];
  for (const result of first) {
    if (result.metric.target === undefined) continue;
    const key = resultKey(result);
    const same = runs.map((run) => run.find((r) => resultKey(r) === key));
    const held = same.filter((r) => r?.met === true).length;
    const absolute = result.metric.targetOn === "absolute";
    rows.push([
      key,
      ...same.map((r) => {
        if (r === undefined) return "–";
        return absolute ? cell(r.ours, r.metric.unit) : ratioCell(r);
      }),
      targetText(result.metric),
      `${held === total ? "✓" : "✗"} ${held} of ${total} runs`,
    ]);
  }
  return rows;
}

/** A Markdown table (also readable in a terminal). */
export function markdownTable(rows: readonly string[][]): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const line = (row: readonly string[]): string =>
    `| ${row.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const [head, ...body] = rows;
  if (head === undefined) return "";
  return [
    line(head),
    `| ${widths.map((w) => "-".repeat(Math.max(3, w))).join(" | ")} |`,
    ...body.map(line),
  ].join("\n");
}

/** The Markdown section of one scenario in one run. */
export function scenarioSection(
  name: string,
  description: string,
  results: readonly MetricResult[],
  notes: readonly string[] = [],
): string {
  const lines = [`### ${name}`, "", description, "", markdownTable(tableRows(results))];
  const noisy = noisyNote(results);
  const all = noisy === undefined ? notes : [noisy, ...notes];
  if (all.length > 0) lines.push("", ...all.map((n) => `- ${n}`));
  return `${lines.join("\n")}\n`;
}

/** The heading of one run in bench/results.md. */
export function runHeading(meta: RunMeta, scenarios: readonly string[]): string {
  return [
    `## bench run ${meta.date} — ${scenarios.join(", ")}`,
    "",
    `Node ${meta.node}; ${meta.machine}; commit ${meta.commit}; ${meta.rounds} alternating rounds per stack` +
      `${meta.scale === 1 ? "" : `; load scale ${meta.scale}`}` +
      `${meta.runs === 1 ? "" : `; ${meta.runs} separate runs`}` +
      `${meta.settings.length === 0 ? "" : `; ${meta.settings.join(" ")}`}. Ratio = median over the rounds of ` +
      "the ratio switchyard ÷ official of each round's adjacent pair, with the interquartile range " +
      "of those pair ratios.",
    "",
  ].join("\n");
}
