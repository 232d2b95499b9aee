// Opt-in CPU profiles of exactly the measured windows of a bench child: with
// `BENCH_PROBE_PROF=<dir>`, every `probe:start` … `probe:stop` window of every child is profiled
// through the inspector (node:inspector) and written to `<dir>/<script>-<pid>-<n>.cpuprofile`,
// with `<dir>/<script>-<pid>.txt` saying which child that is (its arguments and `BENCH_NODE`,
// the cluster nodes' configuration). Unlike `--cpu-prof`
// (whole process: start-up, warm-up and the other stack's rounds included), a window's profile
// holds only what the probe measured, so a burst window and a paced window can be told apart
// (they alternate in the order the scenario runs them). Both stacks are profiled alike.
// `BENCH_PROBE_PROF_INTERVAL_US` sets the sampling interval (V8's default, 1,000 µs, otherwise):
// 100 µs shows the phases of a window of a few milliseconds, such as one restore.
import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { basename, join } from "node:path";

const DIR_VAR = "BENCH_PROBE_PROF";
const INTERVAL_VAR = "BENCH_PROBE_PROF_INTERVAL_US";

/** Profiles probe windows when {@link DIR_VAR} is set; otherwise every call is a no-op. */
export class ProbeProfiler {
  readonly #dir: string | undefined = process.env[DIR_VAR] || undefined;
  readonly #label: string;
  #session: Session | undefined;
  #running: Promise<void> | undefined;
  #count = 0;

  constructor() {
    this.#label = `${basename(process.argv[1] ?? "child", ".ts")}-${process.pid}`;
  }

  /** Starts a profile of the window that opens now. */
  start(): Promise<void> {
    if (this.#dir === undefined) return Promise.resolve();
    this.#running = this.#start();
    return this.#running;
  }

  async #start(): Promise<void> {
    if (this.#session === undefined) {
      this.#session = new Session();
      this.#session.connect();
      await this.#session.post("Profiler.enable");
      const interval = Number(process.env[INTERVAL_VAR]);
      if (Number.isInteger(interval) && interval > 0) {
        await this.#session.post("Profiler.setSamplingInterval", { interval });
      }
    }
    await this.#session.post("Profiler.start");
  }

  /** Ends the window's profile and writes it. */
  async stop(): Promise<void> {
    const dir = this.#dir;
    const session = this.#session;
    if (dir === undefined || this.#running === undefined) return;
    await this.#running;
    this.#running = undefined;
    if (session === undefined) return;
    const { profile } = await session.post("Profiler.stop");
    mkdirSync(dir, { recursive: true });
    this.#count++;
    if (this.#count === 1) {
      const about = [process.argv.slice(2).join(" "), process.env["BENCH_NODE"] ?? ""];
      writeFileSync(join(dir, `${this.#label}.txt`), `${about.join("\n")}\n`);
    }
    const name = `${this.#label}-${String(this.#count).padStart(3, "0")}.cpuprofile`;
    writeFileSync(join(dir, name), JSON.stringify(profile));
  }
}
