// The sticky bench's load generator (a child): official socket.io-client sockets on one
// transport, each in a closed loop of `echo` round trips (emit with ack) for the round.
import { Agent } from "node:http";
import { io as connect, type Socket } from "socket.io-client";
import { ready, serve } from "../../lib/ipc.js";
import { quantile } from "../../lib/stats.js";

export interface OpenArgs {
  /** Clients are spread over these URLs round-robin. */
  urls: string[];
  clients: number;
  transport: "polling" | "websocket";
}

export interface RunResult {
  roundTrips: number;
  wallMs: number;
  /** Round-trip quantiles, ms. */
  p50: number;
  p99: number;
}

let sockets: Socket[] = [];
// Keep-alive, as a browser polls: without an agent the Node XHR opens a connection per request.
let agent = new Agent({ keepAlive: true });

async function open({ urls, clients, transport }: OpenArgs): Promise<number> {
  sockets = Array.from({ length: clients }, (_, i) =>
    connect(urls[i % urls.length] ?? "", {
      transports: [transport],
      forceNew: true,
      // Typed string | boolean; the Node XHR polyfill takes an http.Agent.
      agent: agent as unknown as string,
      reconnection: false,
    }),
  );
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve, reject) => {
          socket.once("connect", () => resolve());
          socket.once("connect_error", reject);
        }),
    ),
  );
  return sockets.length;
}

async function run({ durationMs }: { durationMs: number }): Promise<RunResult> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    sockets.map(async (socket, i) => {
      let n = 0;
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await socket.emitWithAck("echo", { client: i, n: n++ });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return {
    roundTrips: latencies.length,
    wallMs: performance.now() - started,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
  };
}

serve({
  open: (args) => open(args as OpenArgs),
  run: (args) => run(args as { durationMs: number }),
  close: () => {
    for (const socket of sockets) socket.disconnect();
    sockets = [];
    agent.destroy();
    agent = new Agent({ keepAlive: true });
  },
});
ready(null);
