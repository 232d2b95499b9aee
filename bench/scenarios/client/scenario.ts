// client: our client against socket.io-client 4.8 as the load generator. One replay server process
// (the same for both stacks: pre-encoded packets, so its cost and the load it offers cannot favour
// either) pushes ~100-byte JSON events, 1 in 10 with a binary attachment, to N sockets held by a
// client child process of one stack; the metric is that child's CPU per received event. A second
// metric times emit-with-ack round trips from the client side, a third the push over long-polling.
import { join } from "node:path";
import { Child, stopAll } from "../../lib/child.js";
import type { ProbeSample } from "../../lib/ipc.js";
import { IMPLS, type Impl, type Metric, metric, record } from "../../lib/metric.js";
import { alternate, type Scenario, type ScenarioContext, scaled } from "../../lib/scenario.js";
import type { BenchTransport, PushResult } from "./load.js";

const SERVER = join(import.meta.dirname, "server.ts");
const CLIENT = join(import.meta.dirname, "client.ts");
/** Issue 10: client CPU per received message, switchyard/official. */
const RECEIVE_TARGET = 0.7;
/** Emit-with-ack calls each socket keeps in flight. */
const ACK_WINDOW = 4;

type Clients = Record<Impl, Child>;

/** `BENCH_CLIENT_PROF=<dir>` writes a V8 CPU profile of each client child into <dir>. */
function profileArgs(): string[] {
  const dir = process.env["BENCH_CLIENT_PROF"];
  return dir === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", dir];
}

async function startClients(url: string, transport: BenchTransport, sockets: number) {
  const clients: Partial<Clients> = {};
  try {
    for (const impl of IMPLS) {
      const child = await Child.start(CLIENT, { args: [impl, transport], execArgv: profileArgs() });
      clients[impl] = child;
      await child.request("connect", { url, sockets });
    }
  } catch (error) {
    await stopAll(Object.values(clients));
    throw error;
  }
  return clients as Clients;
}

/** Client CPU (µs) over `work`, which the child runs or waits for. */
async function clientCpu(child: Child, work: () => Promise<unknown>): Promise<number> {
  await child.request("reset");
  await child.request("probe:start");
  await work();
  return (await child.request<ProbeSample>("probe:stop")).cpuUs;
}

/** Events per socket per tick, and the tick: the offered load, the same for both stacks. */
const BURST = 20;
const TICK_MS = { websocket: 20, polling: 20 } as const;

/** One push round: `emits` events to every socket of the stack, BURST per socket per tick. */
function pushRound(
  server: Child,
  child: Child,
  impl: Impl,
  transport: BenchTransport,
  emits: number,
  sockets: number,
) {
  return clientCpu(child, async () => {
    const arrived = child.request("wait", { count: emits * sockets });
    const tickMs = TICK_MS[transport];
    const pushed = await server.request<PushResult>("push", {
      room: impl,
      emits,
      burst: BURST,
      tickMs,
    });
    if (pushed.emitted !== emits) throw new Error(`server pushed ${pushed.emitted}/${emits}`);
    await arrived;
  });
}

async function pushMetric(
  ctx: ScenarioContext,
  server: Child,
  url: string,
  transport: BenchTransport,
  extra: (clients: Clients) => Promise<Metric[]>,
): Promise<Metric[]> {
  const ws = transport === "websocket";
  const sockets = ws ? scaled(ctx, 100, 10) : scaled(ctx, 20, 4);
  const emits = scaled(ctx, 1000, 100);
  const m = metric(
    `client CPU per received event (${transport}, ${sockets} sockets)`,
    "µs",
    ws ? { target: RECEIVE_TARGET } : {},
  );
  const clients = await startClients(url, transport, sockets);
  try {
    await alternate(ctx.rounds, async (impl, _i, measured) => {
      const cpuUs = await pushRound(server, clients[impl], impl, transport, emits, sockets);
      if (measured) record(m, impl, cpuUs / (emits * sockets));
    });
    ctx.log(`${m.name} done`);
    return [m, ...(await extra(clients))];
  } finally {
    await Promise.all(IMPLS.map((impl) => clients[impl].request("close").catch(() => {})));
    await stopAll(Object.values(clients));
  }
}

async function ackMetric(ctx: ScenarioContext, clients: Clients): Promise<Metric[]> {
  const perSocket = scaled(ctx, 200, 20);
  const m = metric(
    `client CPU per emit-with-ack round trip (websocket, ${ACK_WINDOW} in flight per socket)`,
    "µs",
  );
  await alternate(ctx.rounds, async (impl, _i, measured) => {
    let acks = 0;
    const cpuUs = await clientCpu(clients[impl], async () => {
      acks = (
        await clients[impl].request<{ acks: number }>("acks", { perSocket, window: ACK_WINDOW })
      ).acks;
    });
    if (measured) record(m, impl, cpuUs / acks);
  });
  ctx.log(`${m.name} done`);
  return [m];
}

export const scenario: Scenario = {
  name: "client",
  description:
    "client-process CPU: @switchyard/client vs socket.io-client 4.8, fed ~100 B JSON events (1 in 10 with a 256 B binary attachment) by one replay server",
  notes: [
    "The server (bench/scenarios/client/server.ts) is a minimal Engine.IO/Socket.IO server replaying pre-encoded packets, the same for both stacks, in its own process; only the client process is measured (process.cpuUsage).",
    `Push: every ${TICK_MS.websocket} ms each socket gets ${BURST} events in one write (one long-polling response); every socket has its own connection (forceNew). Acks: ${ACK_WINDOW} emit-with-ack calls in flight per socket, acked at once with the same payload.`,
  ],
  async run(ctx) {
    const server = await Child.start<{ port: number }>(SERVER);
    const url = `http://127.0.0.1:${server.ready.port}`;
    try {
      const ws = await pushMetric(ctx, server, url, "websocket", (clients) =>
        ackMetric(ctx, clients),
      );
      const polling = await pushMetric(ctx, server, url, "polling", async () => []);
      return [...ws, ...polling];
    } finally {
      await server.stop();
    }
  },
};
