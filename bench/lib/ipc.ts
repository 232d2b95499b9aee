// The messages between the bench runner and its children, and the child side: command
// handlers plus the built-in probe (CPU time, event-loop utilisation, memory after GC).
import { readFileSync } from "node:fs";
import { PerformanceObserver, performance } from "node:perf_hooks";
import { ProbeProfiler } from "./probe-profile.js";

export interface Command {
  id: number;
  cmd: string;
  args?: unknown;
}

export type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: string };

/** What `probe:stop` returns: the process's cost since `probe:start`. */
export interface ProbeSample {
  /** user + system CPU time, microseconds. */
  cpuUs: number;
  /** event-loop utilisation over the window, 0..1. */
  elu: number;
  wallMs: number;
  /**
   * Main-thread GC pauses reported over the window (perf_hooks `gc` entries; one delivered after
   * `probe:stop` is missed), ms, and how many: what makes one restore cost twice another.
   */
  gcMs: number;
  gcCount: number;
  /**
   * CPU time of the main (JavaScript) thread alone, microseconds, from Linux's
   * `/proc/self/task/<pid>/schedstat`; undefined elsewhere. `cpuUs` minus this is what V8's
   * worker threads did meanwhile: optimizing compilation and concurrent GC.
   */
  mainThreadUs: number | undefined;
}

/** What `probe:memory` returns, after two full GCs. */
export interface MemorySample {
  heapUsed: number;
  rss: number;
  external: number;
  arrayBuffers: number;
}

export type Handler = (args: unknown) => unknown;

/** Nanoseconds the main thread ran so far (Linux), or undefined. */
function mainThreadNs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/schedstat`, "latin1");
    const ns = Number(stat.split(" ")[0]);
    return Number.isFinite(ns) ? ns : undefined;
  } catch {
    return undefined;
  }
}

function mainThreadUsSince(start: number | undefined): number | undefined {
  const now = mainThreadNs();
  return start === undefined || now === undefined ? undefined : (now - start) / 1000;
}

/** Full GC (the children run with --expose-gc). */
export function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --expose-gc");
  gc();
  gc();
}

/**
 * Child side: answers the runner's commands with `handlers` plus `probe:start`, `probe:stop`,
 * `probe:memory`; SIGTERM or a closed IPC channel ends the process.
 */
export function serve(handlers: Record<string, Handler>): void {
  let cpu = process.cpuUsage();
  let elu = performance.eventLoopUtilization();
  let wall = performance.now();
  const profiler = new ProbeProfiler();
  const gc = { ms: 0, count: 0 };
  let main = mainThreadNs();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.ms += entry.duration;
      gc.count++;
    }
  }).observe({ entryTypes: ["gc"] });
  const builtIn: Record<string, Handler> = {
    "probe:start": async () => {
      await profiler.start();
      cpu = process.cpuUsage();
      elu = performance.eventLoopUtilization();
      wall = performance.now();
      gc.ms = 0;
      gc.count = 0;
      main = mainThreadNs();
    },
    "probe:stop": async (): Promise<ProbeSample> => {
      const used = process.cpuUsage(cpu);
      const sample = {
        cpuUs: used.user + used.system,
        elu: performance.eventLoopUtilization(elu).utilization,
        wallMs: performance.now() - wall,
        gcMs: gc.ms,
        gcCount: gc.count,
        mainThreadUs: mainThreadUsSince(main),
      };
      await profiler.stop();
      return sample;
    },
    "probe:memory": (): MemorySample => {
      fullGc();
      const { heapUsed, rss, external, arrayBuffers } = process.memoryUsage();
      return { heapUsed, rss, external, arrayBuffers };
    },
  };
  process.on("message", (message: Command) => {
    const handler = builtIn[message.cmd] ?? handlers[message.cmd];
    const reply = (r: Reply): void => {
      process.send?.(r);
    };
    if (handler === undefined) {
      reply({ id: message.id, ok: false, error: `unknown command ${message.cmd}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.args))
      .then(
        (result) => reply({ id: message.id, ok: true, result: result ?? null }),
        (error: unknown) =>
          reply({
            id: message.id,
            ok: false,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          }),
      );
  });
  process.on("disconnect", () => process.exit(0));
  process.on("SIGTERM", () => process.exit(0));
}

/** Child side: tells the runner the child is up, with e.g. its port. */
export function ready(data: unknown): void {
  process.send?.({ event: "ready", data });
}
