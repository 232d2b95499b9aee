// The load generator of the cluster bench (a child): official socket.io-client websocket clients
// spread over the nodes, counting what each node's clients receive and the one-way latency.
import { io as connect, type Socket } from "socket.io-client";
import { ready, serve } from "../../lib/ipc.js";
import { quantile } from "../../lib/stats.js";
import { type ClientStats, type ConnectArgs, nowMicros } from "./wire.js";

let sockets: Socket[] = [];
let received: number[] = [];
let crossNode: number[] = [];
let local: number[] = [];

function reset(nodes: number): void {
  received = new Array<number>(nodes).fill(0);
  crossNode = [];
  local = [];
}

async function open({ urls, perNode }: ConnectArgs): Promise<number> {
  reset(urls.length);
  const connecting: Promise<void>[] = [];
  urls.forEach((url, node) => {
    for (let i = 0; i < perNode; i++) {
      const socket = connect(url, { transports: ["websocket"], forceNew: true });
      socket.on("m", (sentAt: number) => {
        const latency = nowMicros() - sentAt;
        received[node] = (received[node] ?? 0) + 1;
        (node === 0 ? local : crossNode).push(latency);
      });
      sockets.push(socket);
      connecting.push(
        new Promise((resolve, reject) => {
          socket.once("connect", () => resolve());
          socket.once("connect_error", reject);
        }),
      );
    }
  });
  await Promise.all(connecting);
  return sockets.length;
}

function summary(values: number[]): { p50: number; p99: number; count: number } {
  return { p50: quantile(values, 0.5), p99: quantile(values, 0.99), count: values.length };
}

serve({
  connect: (args) => open(args as ConnectArgs),
  reset: () => reset(received.length),
  /** Total received so far (cheap: polled while waiting for the tail). */
  count: () => received.reduce((a, b) => a + b, 0),
  stats: (): ClientStats => ({
    received: [...received],
    crossNode: summary(crossNode),
    local: summary(local),
  }),
  close: () => {
    for (const socket of sockets) socket.disconnect();
    sockets = [];
  },
});
ready(null);
