// One round of the reconnect storm for one stack: 3 fresh nodes on Redis behind the balancer
// replicas, the clients connected through them, one broadcast (every client then has an offset),
// node 0 SIGKILLed; the survivors' CPU from the kill until every client is connected again.
import { join } from "node:path";
import { nodeTag } from "@switchyard/server";
import { Child, stopAll } from "../../lib/child.js";
import type { ProbeSample } from "../../lib/ipc.js";
import type { Impl } from "../../lib/metric.js";
import { profileArgs, sleep, until } from "../cluster-support/stack.js";
import { type NodeConfig, type NodeReady, nowMicros } from "../cluster-support/wire.js";
import type { ConnectArgs, StormStatus } from "./clients.js";
import type { Backoff } from "./storm-client.js";

const HERE = import.meta.dirname;
export const NODES = 3;
/** Generator processes (the clients are split between them). */
export const GENERATORS = 2;
/** Handshakes in flight per generator while connecting. */
const CONNECT_CONCURRENCY = 50;
/** A storm that has not settled in this long fails its round. */
const STORM_DEADLINE_MS = 120_000;
/** The idle window before the kill that measures the survivors' background CPU. */
const IDLE_MS = 1_000;

/** What one round is run with. */
export interface StormSetup {
  impl: Impl;
  recovery: boolean;
  redisUrl: string;
  /** Unique per round: Redis keys, node ids. */
  key: string;
  clients: number;
  pollingEvery: number;
  balancers: number;
  backoff: Backoff;
  log(line: string): void;
}

/** What one storm measured. */
export interface StormSample {
  /** Clients that were on the killed node. */
  expected: number;
  reconnected: number;
  recovered: number;
  failedAttempts: number;
  /** The survivors' CPU from the kill to the last reconnection, µs. */
  survivorCpuUs: number;
  /** The survivors' CPU per ms while idle, just before the kill (µs/ms): their own background. */
  idleCpuUsPerMs: number;
  /** Length of the CPU window (kill → settled), ms. */
  windowMs: number;
  /** Kill → last client connected again, ms. */
  allBackMs: number;
  /** Kill → reconnection, ms, median over the reconnected clients. */
  p50Ms: number;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor((total + i) / parts));
}

async function statuses(gens: readonly Child[]): Promise<StormStatus[]> {
  return Promise.all(gens.map((gen) => gen.request<StormStatus>("status")));
}

/** Runs one storm; every process it started is stopped before it returns. */
export async function stormRound(setup: StormSetup): Promise<StormSample> {
  const children: Child[] = [];
  try {
    const ids = Array.from({ length: NODES }, (_, i) => `${setup.key}-n${i}`);
    const config: NodeConfig = {
      impl: setup.impl,
      bus: "redis",
      url: setup.redisUrl,
      key: setup.key,
      recovery: setup.recovery,
    };
    const nodes = await Promise.all(
      ids.map((id) =>
        Child.start<NodeReady>(join(HERE, "node.ts"), {
          env: { BENCH_NODE: JSON.stringify(config), SWITCHYARD_NODE_ID: id },
          execArgv: profileArgs(setup.impl),
        }),
      ),
    );
    children.push(...nodes);
    for (const node of nodes) {
      await until(
        "the cluster to form",
        async () => (await node.request<number>("servers")) === NODES,
      );
    }
    const upstreams = nodes.map((node, i) => ({
      id: ids[i],
      url: `http://127.0.0.1:${node.ready.port}`,
    }));
    const balancers = await Promise.all(
      Array.from({ length: setup.balancers }, () =>
        Child.start<{ port: number }>(join(HERE, "balancer.ts"), {
          env: { BENCH_UPSTREAMS: JSON.stringify(upstreams) },
        }),
      ),
    );
    children.push(...balancers);
    const gens = await Promise.all(
      Array.from({ length: GENERATORS }, () => Child.start(join(HERE, "clients.ts"))),
    );
    children.push(...gens);
    const urls = balancers.map((b) => `http://127.0.0.1:${b.ready.port}`);
    const started = Date.now();
    await Promise.all(
      split(setup.clients, GENERATORS).map((count, i) => {
        const args: ConnectArgs = {
          balancers: urls,
          count,
          pollingEvery: setup.pollingEvery,
          backoff: setup.backoff,
          concurrency: CONNECT_CONCURRENCY,
        };
        return gens[i]?.request("connect", args);
      }),
    );
    const perNode = await Promise.all(nodes.map((node) => node.request<number>("clients")));
    setup.log(
      `${setup.impl}: ${setup.clients} clients connected in ${((Date.now() - started) / 1000).toFixed(1)} s, per node ${perNode.join("/")}`,
    );
    // One broadcast, so that every client has an offset to recover from (recovery on).
    await nodes[1]?.request("broadcast");
    await until(
      "the broadcast to reach every client",
      async () => sum((await statuses(gens)).map((s) => s.events)) >= setup.clients,
      30_000,
    );
    const [victim, ...survivors] = nodes;
    if (victim === undefined) throw new Error("no nodes");
    await Promise.all(gens.map((gen) => gen.request("storm:arm", { tag: nodeTag(ids[0] ?? "") })));
    // Their background (heartbeats, health checks, pings) over an idle second, then the storm.
    await Promise.all(survivors.map((node) => node.request("probe:start")));
    await sleep(IDLE_MS);
    const idle = await Promise.all(survivors.map((n) => n.request<ProbeSample>("probe:stop")));
    await Promise.all(survivors.map((node) => node.request("probe:start")));
    const killedAt = nowMicros();
    victim.process.kill("SIGKILL");
    const deadline = Date.now() + STORM_DEADLINE_MS;
    let status: StormStatus[];
    for (;;) {
      status = await statuses(gens);
      const expected = sum(status.map((s) => s.expected));
      const lost = sum(status.map((s) => s.victimsLost));
      const connected = sum(status.map((s) => s.connected));
      if (lost >= expected && connected === setup.clients) break;
      if (Date.now() > deadline) {
        throw new Error(
          `storm not settled: ${connected}/${setup.clients} connected, ${lost}/${expected} lost`,
        );
      }
      await sleep(20);
    }
    const probes = await Promise.all(survivors.map((n) => n.request<ProbeSample>("probe:stop")));
    const times = (await Promise.all(gens.map((gen) => gen.request<number[]>("storm:times"))))
      .flat()
      .map((at) => (at - killedAt) / 1000)
      .sort((a, b) => a - b);
    return {
      expected: sum(status.map((s) => s.expected)),
      reconnected: sum(status.map((s) => s.reconnected)),
      recovered: sum(status.map((s) => s.recovered)),
      failedAttempts: sum(status.map((s) => s.failedAttempts)),
      survivorCpuUs: sum(probes.map((p) => p.cpuUs)),
      idleCpuUsPerMs: sum(idle.map((p) => p.cpuUs / p.wallMs)),
      windowMs: Math.max(...probes.map((p) => p.wallMs)),
      allBackMs: times[times.length - 1] ?? Number.NaN,
      p50Ms: times[Math.floor((times.length - 1) / 2)] ?? Number.NaN,
    };
  } finally {
    await Promise.all(children.map((child) => child.request("close").catch(() => undefined)));
    await stopAll(children);
  }
}
