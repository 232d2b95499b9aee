// Parent side: one server-under-test child per stack plus its load generator children, started
// once per scenario (or per round), and the probe window around a measured run.
import { join } from "node:path";
import { Child, stopAll } from "../../lib/child.js";
import type { ProbeSample } from "../../lib/ipc.js";
import type { Impl } from "../../lib/metric.js";
import type { ServerReady } from "./server.js";

const HERE = import.meta.dirname;
export const SERVER_SCRIPT = join(HERE, "server.ts");
export const WS_CLIENTS_SCRIPT = join(HERE, "ws-clients.ts");
export const POLLING_CLIENTS_SCRIPT = join(HERE, "polling-clients.ts");

/** A running server under test and its generators. */
export interface Stack {
  impl: Impl;
  server: Child<ServerReady>;
  generators: Child[];
}

/**
 * Node flags of the server child: `BENCH_CPU_PROF=<dir>` profiles the server of
 * `BENCH_CPU_PROF_IMPL` (default switchyard) with --cpu-prof; that stack's figures are then
 * inflated, so use the profile, not the table.
 */
function serverExecArgv(impl: Impl): string[] {
  const dir = process.env["BENCH_CPU_PROF"];
  const profiled = process.env["BENCH_CPU_PROF_IMPL"] ?? "switchyard";
  return dir !== undefined && dir !== "" && profiled === impl
    ? ["--cpu-prof", `--cpu-prof-dir=${dir}`]
    : [];
}

/** Starts the server child of `impl` and `generators` children of `script`. */
export async function startStack(impl: Impl, script: string, generators = 1): Promise<Stack> {
  const server = await Child.start<ServerReady>(SERVER_SCRIPT, {
    args: [impl],
    execArgv: serverExecArgv(impl),
  });
  try {
    const gens = await Promise.all(Array.from({ length: generators }, () => Child.start(script)));
    return { impl, server, generators: gens };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * A floor server (`script`, no stack under test) with one generator of `generatorScript`, in the
 * shape `probed` takes; `impl` is only a placeholder there.
 */
export async function startFloorStack(
  script: string,
  generatorScript: string = WS_CLIENTS_SCRIPT,
  args: string[] = [],
): Promise<Stack> {
  const server = await Child.start<ServerReady>(script, { args });
  try {
    return { impl: "official", server, generators: [await Child.start(generatorScript)] };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

export async function stopStack(stack: Stack | undefined): Promise<void> {
  if (stack === undefined) return;
  await stopAll([...stack.generators, stack.server]);
}

/** Splits `n` as evenly as possible into `parts`. */
export function split(n: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0));
}

/** Runs `work` between the server's probe:start and probe:stop. */
export async function probed<T>(
  stack: Stack,
  work: () => Promise<T>,
): Promise<{ probe: ProbeSample; result: T }> {
  await stack.server.request("probe:start");
  const result = await work();
  const probe = await stack.server.request<ProbeSample>("probe:stop");
  return { probe, result };
}
