// Floor servers: servers that are neither stack, given the same load as the stacks and run right
// after the official stack's round in every round. Each gets a row labelled in the left column,
// compared with the official figure of the same round: how much of it no server of that kind
// avoids. Used by the echo and polling scenarios.
import { type Metric, metric, record } from "../../lib/metric.js";
import { type Stack, startFloorStack, stopStack } from "./stacks.js";

/** One floor server: its row label and its script (a bench child answering `ready`). */
export interface FloorSpec {
  label: string;
  script: string;
  args?: string[];
}

/** What one run on a floor measured: CPU µs per unit, and the start of its log line. */
export interface FloorRun {
  cpuUs: number;
  summary: string;
}

/** The floors of one scenario, their stacks once started, and their metric rows. */
export class Floors {
  /** One row per floor, in spec order. */
  readonly metrics: Metric[];
  readonly #specs: readonly FloorSpec[];
  readonly #stacks: Stack[] = [];

  /** `name` and `unit` are those of the main CPU row the floors are read against. */
  constructor(specs: readonly FloorSpec[], name: string, unit: string) {
    this.#specs = specs;
    this.metrics = specs.map(({ label }) => metric(name, unit, { subject: label }));
  }

  /** Starts every floor with one `generatorScript` child, then `connect`s its clients. */
  async start(generatorScript: string, connect: (stack: Stack) => Promise<unknown>): Promise<void> {
    for (const spec of this.#specs) {
      const stack = await startFloorStack(spec.script, generatorScript, spec.args);
      this.#stacks.push(stack);
      await connect(stack);
    }
  }

  /** Runs `run` on each floor; a measured round records it against `officialCpuUs`. */
  async round(
    index: number,
    measured: boolean,
    officialCpuUs: number,
    run: (stack: Stack) => Promise<FloorRun>,
    log: (line: string) => void,
  ): Promise<void> {
    for (const [i, stack] of this.#stacks.entries()) {
      const result = await run(stack);
      log(`${this.#specs[i]?.label} round ${index}: ${result.summary}`);
      const row = this.metrics[i];
      if (!measured || row === undefined) continue;
      record(row, "switchyard", result.cpuUs);
      record(row, "official", officialCpuUs);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.#stacks.map(stopStack));
  }
}
