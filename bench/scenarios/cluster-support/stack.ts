// One stack of the cluster bench: its node processes on one bus and its load generator, started
// and formed into a cluster whose every room spans all nodes.
import { join } from "node:path";
import { Child, stopAll } from "../../lib/child.js";
import type { Impl } from "../../lib/metric.js";
import { ROOM_LOADS } from "./rooms.js";
import type { NodeConfig, NodeReady } from "./wire.js";

export interface Stack {
  nodes: Child<NodeReady>[];
  clients: Child;
}

const HERE = import.meta.dirname;
const PROFILE_DIR_VAR = "BENCH_CPU_PROF";
const PROFILE_IMPL_VAR = "BENCH_CPU_PROF_IMPL";

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

export async function until(
  what: string,
  check: () => Promise<boolean>,
  ms = 15_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** `--cpu-prof` flags for `impl`'s node processes when BENCH_CPU_PROF names a directory. */
export function profileArgs(impl: Impl): string[] {
  const dir = process.env[PROFILE_DIR_VAR];
  if (dir === undefined || dir === "") return [];
  return (process.env[PROFILE_IMPL_VAR] ?? "switchyard") === impl
    ? ["--cpu-prof", "--cpu-prof-dir", dir]
    : [];
}

/** Starts `nodes` node processes with `config` and the load generator. */
export async function startStack(impl: Impl, config: NodeConfig, nodes: number): Promise<Stack> {
  const started = await Promise.allSettled(
    Array.from({ length: nodes }, () =>
      Child.start<NodeReady>(join(HERE, "node.ts"), {
        env: { BENCH_NODE: JSON.stringify(config) },
        execArgv: profileArgs(impl),
      }),
    ),
  );
  const clients = await Child.start(join(HERE, "clients.ts")).catch(async (error: unknown) => {
    await stopAll(started.map((s) => (s.status === "fulfilled" ? s.value : undefined)));
    throw error;
  });
  const ok = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = started.find((s) => s.status === "rejected");
  if (failed !== undefined) {
    await stopAll([...ok, clients]);
    throw failed.reason;
  }
  return { nodes: ok, clients };
}

/**
 * Waits until every node sees the whole cluster, connects every room's clients, then the
 * generator's control socket on node 0 (progress reports of the bursts).
 */
export async function formCluster(stack: Stack): Promise<void> {
  const n = stack.nodes.length;
  for (const node of stack.nodes) {
    await until("the cluster to form", async () => (await node.request<number>("servers")) === n);
  }
  const urls = stack.nodes.map((node) => `http://127.0.0.1:${node.ready.port}`);
  for (const { room, clientsPerNode } of ROOM_LOADS) {
    await stack.clients.request("connect", { urls, perNode: clientsPerNode, room });
    for (const node of stack.nodes) {
      await until(
        `every client to join room ${room}`,
        async () => (await node.request<number>("members", room)) === clientsPerNode,
      );
    }
  }
  await stack.clients.request("control", urls[0]);
}

/** Closes the generator's sockets, then stops every process of the stack. */
export async function stopStack(stack: Stack): Promise<void> {
  await stack.clients.request("close").catch(() => undefined);
  await stopAll([stack.clients, ...stack.nodes]);
}
