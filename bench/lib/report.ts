// Tables of a scenario's results: plain text for the terminal, Markdown for bench/results.md.

import { execFileSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";
import type { MetricResult } from "./metric.js";
import type { Summary } from "./stats.js";

/** Where and when a run happened. */
export interface RunMeta {
  date: string;
  node: string;
  machine: string;
  commit: string;
  rounds: number;
  scale: number;
}

export function runMeta(rounds: number, scale: number): RunMeta {
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

function targetCell(result: MetricResult): string {
  const { target, lowerIsBetter } = result.metric;
  if (target === undefined) return "";
  const verdict = result.met === undefined ? "" : result.met ? " ✓" : " ✗";
  return `${lowerIsBetter ? "≤" : "≥"} ${target}${verdict}`;
}

/** The rows of a result table (header first). */
export function tableRows(results: readonly MetricResult[]): string[][] {
  const rows = [
    ["metric", "switchyard median (min–max)", "official median (min–max)", "ratio", "target"],
  ];
  for (const result of results) {
    const baseline = result.metric.baseline === undefined ? "" : ` [${result.metric.baseline}]`;
    const subject = result.metric.subject === undefined ? "" : ` [${result.metric.subject}]`;
    rows.push([
      result.metric.name,
      `${cell(result.ours, result.metric.unit)}${subject}`,
      `${cell(result.theirs, result.metric.unit)}${baseline}`,
      Number.isFinite(result.ratio) ? result.ratio.toFixed(2) : "–",
      targetCell(result),
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
  if (notes.length > 0) lines.push("", ...notes.map((n) => `- ${n}`));
  return `${lines.join("\n")}\n`;
}

/** The heading of one run in bench/results.md. */
export function runHeading(meta: RunMeta, scenarios: readonly string[]): string {
  return [
    `## bench run ${meta.date} — ${scenarios.join(", ")}`,
    "",
    `Node ${meta.node}; ${meta.machine}; commit ${meta.commit}; ${meta.rounds} alternating rounds per stack` +
      `${meta.scale === 1 ? "" : `; load scale ${meta.scale}`}. Ratio = switchyard ÷ official medians.`,
    "",
  ].join("\n");
}
