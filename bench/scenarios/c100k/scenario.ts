// c100k: one server process holding 100,000 idle WebSocket clients on loopback (not part of a
// full run: `npx tsx bench/run.ts c100k`). Heap and RSS per connection after GC, the time to
// connect them all, and the time for one `io.emit` to reach the last client; the official server
// in the same run, as far as it gets. The scenario raises the open-files limits of its processes
// itself, spreads the clients over several 127.0.0.x source addresses, and stops at a time limit.
import { Child, stopAll } from "../../lib/child.js";
import type { MemorySample } from "../../lib/ipc.js";
import { type Impl, type Metric, metric, record } from "../../lib/metric.js";
import { type Scenario, type ScenarioContext, scaled } from "../../lib/scenario.js";
import { sleep } from "../cluster-support/stack.js";
import type { ServerReady } from "../server-under-test/server.js";
import { SERVER_SCRIPT } from "../server-under-test/stacks.js";
import type { ConnectArgs, ConnectResult, EmitResult } from "./clients.js";
import { raiseOpenFiles } from "./limits.js";

const CLIENTS_SCRIPT = new URL("./clients.ts", import.meta.url).pathname;
const DEFAULT_CLIENTS = 100_000;
/** Clients per generator process (each needs a descriptor per client). */
const PER_GENERATOR = 15_000;
/**
 * Connections per source address: an address has ~28,000 ephemeral ports towards one port, and
 * switchyard's default `addressLimits` allow 10,000 live sessions per client address (the run
 * keeps both stacks on their default options), so 8,000 leaves room for the warm-up clients.
 */
const PER_ADDRESS = 8_000;
/** Descriptors a process needs besides its sockets. */
const SPARE_FDS = 256;
const WARM_UP_CONNECTIONS = 50;
/** Handshakes in flight per generator. */
const CONCURRENCY = 100;
/** How long the connect phase of one stack may take (`BENCH_C100K_TIME_LIMIT_S`). */
const DEFAULT_TIME_LIMIT_S = 300;

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

interface Rows {
  held: Metric;
  connectS: Metric;
  heap: Metric;
  rss: Metric;
  external: Metric;
  emit: Metric;
}

function rows(): Rows {
  return {
    held: metric("clients held", "clients", { lowerIsBetter: false }),
    connectS: metric("time to connect them all", "s"),
    heap: metric("heap per connection", "KiB", { target: 3, targetOn: "absolute" }),
    rss: metric("RSS per connection", "KiB", { target: 8, targetOn: "absolute" }),
    external: metric("external + arrayBuffers per connection", "KiB"),
    emit: metric("one io.emit → the last client", "ms"),
  };
}

async function untilClients(
  server: Child<ServerReady>,
  count: number,
  ms: number,
): Promise<number> {
  const deadline = Date.now() + ms;
  let n = -1;
  while (Date.now() < deadline) {
    n = await server.request<number>("clients");
    if (n === count) return n;
    await sleep(100);
  }
  return n;
}

/** One stack's run: as many of `wanted` clients as it holds within the time limit. */
async function runStack(ctx: ScenarioContext, impl: Impl, wanted: number, m: Rows): Promise<void> {
  const children: Child[] = [];
  try {
    const server = await Child.start<ServerReady>(SERVER_SCRIPT, {
      args: [impl],
      execArgv: ["--max-old-space-size=16384"],
    });
    children.push(server);
    const fds = raiseOpenFiles(server.ready.pid, wanted + SPARE_FDS);
    const target = Math.min(wanted, fds.limit - SPARE_FDS);
    if (fds.capped) {
      ctx.log(
        `${impl}: the server may open ${fds.limit} files (hard limit ${fds.hard}, not raisable here): ${target} clients instead of ${wanted}`,
      );
    }
    const generatorCount = Math.max(2, Math.ceil(target / PER_GENERATOR));
    const gens = await Promise.all(
      Array.from({ length: generatorCount }, () => Child.start<{ pid: number }>(CLIENTS_SCRIPT)),
    );
    children.push(...gens);
    const perGen = Array.from({ length: generatorCount }, (_, i) =>
      Math.floor((target + i) / generatorCount),
    );
    for (const [i, gen] of gens.entries())
      raiseOpenFiles(gen.ready.pid, (perGen[i] ?? 0) + SPARE_FDS);
    const addresses = Array.from(
      { length: Math.max(1, Math.ceil(target / PER_ADDRESS)) },
      (_, i) => `127.0.0.${i + 2}`,
    );
    const port = server.ready.port;
    const warm: ConnectArgs = {
      port,
      count: WARM_UP_CONNECTIONS,
      addresses,
      concurrency: 10,
      deadline: Date.now() + 30_000,
    };
    await gens[0]?.request("connect", warm);
    await gens[0]?.request("close");
    await untilClients(server, 0, 30_000);
    const before = await server.request<MemorySample>("probe:memory");
    const limitS = envNumber("BENCH_C100K_TIME_LIMIT_S") ?? DEFAULT_TIME_LIMIT_S;
    const deadline = Date.now() + limitS * 1000;
    const started = performance.now();
    const results = await Promise.all(
      gens.map((gen, i) =>
        gen.request<ConnectResult>("connect", {
          port,
          count: perGen[i] ?? 0,
          addresses,
          concurrency: CONCURRENCY,
          deadline,
        } satisfies ConnectArgs),
      ),
    );
    const connectS = (performance.now() - started) / 1000;
    const connected = results.reduce((a, r) => a + r.connected, 0);
    const failed = results.reduce((a, r) => a + r.failed, 0);
    const held = await untilClients(server, connected, 30_000);
    ctx.log(
      `${impl}: ${connected} of ${target} clients connected in ${connectS.toFixed(1)} s over ` +
        `${addresses.length} source address(es), ${generatorCount} generators; server holds ${held}` +
        (failed > 0 ? `; ${failed} failed (${results.find((r) => r.error)?.error})` : ""),
    );
    record(m.held, impl, held);
    if (connected === target) record(m.connectS, impl, connectS);
    const after = await server.request<MemorySample>("probe:memory");
    const per = (a: number, b: number): number => (a - b) / held / 1024;
    record(m.heap, impl, per(after.heapUsed, before.heapUsed));
    record(m.rss, impl, per(after.rss, before.rss));
    record(
      m.external,
      impl,
      per(after.external + after.arrayBuffers, before.external + before.arrayBuffers),
    );
    await Promise.all(gens.map((gen) => gen.request("emit:arm")));
    const at = await server.request<number>("emit:all");
    const got = await Promise.all(gens.map((gen) => gen.request<EmitResult>("emit:wait", 60_000)));
    const received = got.reduce((a, r) => a + r.received, 0);
    const lastAt = Math.max(...got.map((r) => r.lastAt));
    const emitMs = (lastAt - at) / 1000;
    if (received === connected) record(m.emit, impl, emitMs);
    ctx.log(
      `${impl}: heap ${per(after.heapUsed, before.heapUsed).toFixed(2)} KiB/conn, RSS ` +
        `${per(after.rss, before.rss).toFixed(2)} KiB/conn; io.emit reached ${received} clients, the last after ${emitMs.toFixed(0)} ms`,
    );
  } finally {
    await Promise.all(children.slice(1).map((gen) => gen.request("close").catch(() => undefined)));
    await stopAll(children);
  }
}

export const scenario: Scenario = {
  name: "c100k",
  description:
    "one server process, 100,000 idle websocket clients on loopback (BENCH_C100K_CLIENTS): heap and RSS per connection, time to connect them all, one io.emit to the last client",
  notes: [
    "Not part of a full run. Clients: raw `ws` (open → 40 → CONNECT, pings answered) in generator processes of at most 15,000 clients each, bound round robin to 127.0.0.2, .3, … (one address per 8,000 clients: under switchyard's default of 10,000 live sessions per client address, and each has ~28,000 ephemeral ports towards the server's port).",
    "The scenario raises the open-files limit of the server and of each generator itself (`prlimit --pid`): to what it needs, or, when the hard limit is lower and cannot be raised (no CAP_SYS_RESOURCE), to the hard limit, and then runs with as many clients as that allows (logged; the `clients held` row shows it).",
    "Per connection = (after GC with N clients − after GC before them, following a warm-up of 50 connections) ÷ N. Targets on switchyard's own figures: heap ≤ 3 KiB, RSS ≤ 8 KiB.",
    "Time to connect: all generators start together, 100 handshakes in flight each, until the last CONNECT. io.emit: the server's monotonic clock (system-wide) just before `io.emit(\"all\", t)` → the last client's receipt.",
    'Bounded: the connect phase of each stack stops at BENCH_C100K_TIME_LIMIT_S (300 s) or after 200 failed connections per generator, and the stack is measured with the clients it holds (the official server "as far as it gets"). BENCH_C100K_ROUNDS (1) rounds per stack, alternating, no warm-up round.',
  ],
  async run(ctx) {
    const wanted = envNumber("BENCH_C100K_CLIENTS") ?? scaled(ctx, DEFAULT_CLIENTS, 100);
    const rounds = envNumber("BENCH_C100K_ROUNDS") ?? 1;
    const m = rows();
    for (let i = 0; i < rounds; i++) {
      const order: Impl[] = i % 2 === 0 ? ["switchyard", "official"] : ["official", "switchyard"];
      for (const impl of order) await runStack(ctx, impl, wanted, m);
    }
    return [m.held, m.connectS, m.heap, m.rss, m.external, m.emit];
  },
};
