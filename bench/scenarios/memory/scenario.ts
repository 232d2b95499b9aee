// memory: 5,000 idle websocket connections (Socket.IO connected to "/", one room joined) held by
// two generator processes; heap and RSS of the server under test per connection, after GC,
// against a baseline taken after a warm-up. A fresh server process every round.
import type { Child } from "../../lib/child.js";
import { Child as ChildProcess, stopAll } from "../../lib/child.js";
import type { MemorySample } from "../../lib/ipc.js";
import { type Metric, metric, record } from "../../lib/metric.js";
import { alternate, type Scenario, scaled } from "../../lib/scenario.js";
import type { ServerReady } from "../server-under-test/server.js";
import { SERVER_SCRIPT, split, WS_CLIENTS_SCRIPT } from "../server-under-test/stacks.js";

const GENERATORS = 2;
const WARM_UP_CONNECTIONS = 50;

async function waitForClients(server: Child<ServerReady>, count: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await server.request<number>("clients")) === count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`server did not reach ${count} clients`);
}

export const scenario: Scenario = {
  name: "memory",
  description: "5,000 idle websocket connections; server heap and RSS per connection after GC",
  notes: [
    "heap per connection = (heapUsed after GC with N connections − heapUsed after GC before them) ÷ N; the baseline follows a warm-up of 50 connections opened and closed. RSS likewise.",
    "Clients: raw `ws` in two generator processes (the server under test holds every socket).",
  ],
  async run(ctx) {
    const connections = scaled(ctx, 5000, 100);
    const heap = metric("heap per connection", "KiB", { target: 0.5 });
    const rss = metric("RSS per connection", "KiB");
    const external = metric("external + arrayBuffers per connection", "KiB");
    const generators: Child[] = await Promise.all(
      Array.from({ length: GENERATORS }, () => ChildProcess.start(WS_CLIENTS_SCRIPT)),
    );
    try {
      await alternate(ctx.rounds, async (impl, index, measured) => {
        const server = await ChildProcess.start<ServerReady>(SERVER_SCRIPT, { args: [impl] });
        try {
          const port = server.ready.port;
          const [warm] = generators;
          await warm?.request("connect", { port, count: WARM_UP_CONNECTIONS, concurrency: 50 });
          await warm?.request("close");
          await waitForClients(server, 0);
          const before = await server.request<MemorySample>("probe:memory");
          await Promise.all(
            split(connections, GENERATORS).map((count, i) =>
              generators[i]?.request("connect", { port, count, concurrency: 100 }),
            ),
          );
          await waitForClients(server, connections);
          const after = await server.request<MemorySample>("probe:memory");
          const per = (a: number, b: number): number => (a - b) / connections / 1024;
          const heapKiB = per(after.heapUsed, before.heapUsed);
          ctx.log(
            `${impl} round ${index}: heap ${heapKiB.toFixed(2)} KiB/conn, RSS ${per(after.rss, before.rss).toFixed(2)} KiB/conn`,
          );
          if (!measured) return;
          record(heap, impl, heapKiB);
          record(rss, impl, per(after.rss, before.rss));
          record(
            external,
            impl,
            per(after.external + after.arrayBuffers, before.external + before.arrayBuffers),
          );
        } finally {
          await Promise.all(generators.map((g) => g.request("close")));
          await server.stop();
        }
      });
    } finally {
      await stopAll(generators);
    }
    const metrics: Metric[] = [heap, rss, external];
    return metrics;
  },
};
