// `npm run bench [-- <scenario> ...] [--rounds N] [--scale X] [--runs N] [--no-record]`
// Runs the named scenarios (all by default) of bench/scenarios/<name>/scenario.ts, each
// alternating switchyard and the official stack, prints a table per scenario and appends the
// run to bench/results.md with machine, Node version, date and commit. With `--runs N` the whole
// list runs N separate times, and a target holds only if it holds in every run.
import { appendFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { evaluate, type MetricResult } from "./lib/metric.js";
import {
  markdownTable,
  noisyNote,
  runHeading,
  runMeta,
  runsRows,
  scenarioSection,
  tableRows,
} from "./lib/report.js";
import type { Scenario, ScenarioContext } from "./lib/scenario.js";

/** Order of a full run: cheap in-process scenarios first. */
const ORDER = [
  "protocol",
  "bundle",
  "fanout",
  "echo",
  "polling",
  "memory",
  "client",
  "cluster-redis",
  "cluster-nats",
  "cluster-recovery",
  "sticky",
  "reconnect-storm",
  "c100k",
];
/** Scenarios a full run leaves out (each connects thousands of clients per round): run them by name. */
const ON_REQUEST = ["reconnect-storm", "c100k"];
/** Default measured rounds per stack: enough for an interquartile range of the pair ratios. */
const DEFAULT_ROUNDS = 7;
const SCENARIOS_DIR = join(import.meta.dirname, "scenarios");
const RESULTS = join(import.meta.dirname, "results.md");

function available(): string[] {
  const names = readdirSync(SCENARIOS_DIR, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(join(SCENARIOS_DIR, entry.name, "scenario.ts")),
    )
    .map((entry) => entry.name);
  const rank = (name: string): number => {
    const i = ORDER.indexOf(name);
    return i === -1 ? ORDER.length : i;
  };
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

async function load(name: string): Promise<Scenario> {
  const module = (await import(join(SCENARIOS_DIR, name, "scenario.ts"))) as {
    scenario?: Scenario;
  };
  if (module.scenario === undefined)
    throw new Error(`bench/scenarios/${name}/scenario.ts exports no scenario`);
  return module.scenario;
}

interface Options {
  names: string[];
  rounds: number;
  scale: number;
  runs: number;
  record: boolean;
}

/** The command line, or an exit code (the list printed, or bad arguments). */
async function parseOptions(): Promise<Options | number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      rounds: { type: "string" },
      scale: { type: "string" },
      runs: { type: "string" },
      "no-record": { type: "boolean" },
      list: { type: "boolean" },
    },
  });
  const all = available();
  if (values.list) {
    for (const name of all) console.log(`${name}: ${(await load(name)).description}`);
    return 0;
  }
  const unknown = positionals.filter((name) => !all.includes(name));
  if (unknown.length > 0) {
    console.error(`unknown scenario(s): ${unknown.join(", ")}; available: ${all.join(", ")}`);
    return 2;
  }
  const rounds = Number(values.rounds ?? process.env["BENCH_ROUNDS"] ?? DEFAULT_ROUNDS);
  const scale = Number(values.scale ?? process.env["BENCH_SCALE"] ?? 1);
  const runs = Number(values.runs ?? process.env["BENCH_RUNS"] ?? 1);
  if (!Number.isInteger(rounds) || rounds < 1 || !(scale > 0)) {
    console.error("--rounds must be a positive integer and --scale a positive number");
    return 2;
  }
  if (!Number.isInteger(runs) || runs < 1) {
    console.error("--runs must be a positive integer");
    return 2;
  }
  const names =
    positionals.length > 0 ? positionals : all.filter((name) => !ON_REQUEST.includes(name));
  return { names, rounds, scale, runs, record: values["no-record"] !== true };
}

/** Runs one scenario once: prints its table, returns its results and its results.md section. */
async function runScenario(
  name: string,
  label: string,
  ctx: ScenarioContext,
): Promise<{ results?: MetricResult[]; section: string }> {
  const scenario = await load(name);
  console.log(`\n== ${label}: ${scenario.description}`);
  const started = Date.now();
  try {
    const results = (await scenario.run(ctx)).map(evaluate);
    console.log(markdownTable(tableRows(results)));
    const noisy = noisyNote(results);
    for (const note of [...(noisy === undefined ? [] : [noisy]), ...(scenario.notes ?? [])]) {
      console.log(`  ${note}`);
    }
    console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s)`);
    return {
      results,
      section: scenarioSection(label, scenario.description, results, scenario.notes),
    };
  } catch (error) {
    console.error(`${label} failed:`, error);
    const reason = error instanceof Error ? error.message : String(error);
    return { section: `### ${label}\n\nfailed: ${reason}\n` };
  }
}

async function main(): Promise<number> {
  const options = await parseOptions();
  if (typeof options === "number") return options;
  const { names, rounds, scale, runs } = options;
  const meta = runMeta(rounds, scale, runs);
  const ctx: ScenarioContext = {
    rounds,
    scale,
    log: (line) => process.stderr.write(`  ${line}\n`),
  };
  const sections: string[] = [];
  const byScenario = new Map<string, MetricResult[][]>();
  let failed = 0;
  for (let run = 1; run <= runs; run++) {
    for (const name of names) {
      const label = runs === 1 ? name : `${name} (run ${run} of ${runs})`;
      const { results, section } = await runScenario(name, label, ctx);
      sections.push(section);
      if (results === undefined) failed++;
      else byScenario.set(name, [...(byScenario.get(name) ?? []), results]);
    }
  }
  if (runs > 1) {
    for (const [name, results] of byScenario) {
      const rows = runsRows(results, runs);
      if (rows.length < 2) continue;
      const table = markdownTable(rows);
      console.log(`\n== ${name}: targets over ${runs} separate runs\n${table}`);
      sections.push(`### ${name}: targets over ${runs} separate runs\n\n${table}\n`);
    }
  }
  if (options.record) {
    appendFileSync(RESULTS, `\n${runHeading(meta, names)}\n${sections.join("\n")}`);
    console.log(`\nappended to ${RESULTS}`);
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
