// `npm run bench [-- <scenario> ...] [--rounds N] [--scale X] [--no-record]`
// Runs the named scenarios (all by default) of bench/scenarios/<name>/scenario.ts, each
// alternating switchyard and the official stack, prints a table per scenario and appends the
// run to bench/results.md with machine, Node version, date and commit.
import { appendFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { evaluate } from "./lib/metric.js";
import { markdownTable, runHeading, runMeta, scenarioSection, tableRows } from "./lib/report.js";
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
];
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

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      rounds: { type: "string" },
      scale: { type: "string" },
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
  const names = positionals.length > 0 ? positionals : all;
  const rounds = Number(values.rounds ?? process.env["BENCH_ROUNDS"] ?? 5);
  const scale = Number(values.scale ?? process.env["BENCH_SCALE"] ?? 1);
  if (!Number.isInteger(rounds) || rounds < 1 || !(scale > 0)) {
    console.error("--rounds must be a positive integer and --scale a positive number");
    return 2;
  }
  const meta = runMeta(rounds, scale);
  const ctx: ScenarioContext = {
    rounds,
    scale,
    log: (line) => process.stderr.write(`  ${line}\n`),
  };
  const sections: string[] = [];
  let failed = 0;
  for (const name of names) {
    const scenario = await load(name);
    console.log(`\n== ${name}: ${scenario.description}`);
    const started = Date.now();
    try {
      const results = (await scenario.run(ctx)).map(evaluate);
      console.log(markdownTable(tableRows(results)));
      for (const note of scenario.notes ?? []) console.log(`  ${note}`);
      console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s)`);
      sections.push(scenarioSection(name, scenario.description, results, scenario.notes));
    } catch (error) {
      failed++;
      console.error(`${name} failed:`, error);
      sections.push(
        `### ${name}\n\nfailed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
  }
  if (!values["no-record"]) {
    appendFileSync(RESULTS, `\n${runHeading(meta, names)}\n${sections.join("\n")}`);
    console.log(`\nappended to ${RESULTS}`);
  }
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
