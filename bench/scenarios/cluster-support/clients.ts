// The load generator of the cluster bench (a child): raw `ws` clients speaking the Engine.IO v4 /
// Socket.IO v5 text wire (open → "40" → CONNECT, ping → pong, EVENT frames), the same code for
// both stacks. socket.io-client costs ~10× more per received frame, which on 2 shared cores would
// bill the rooms of a hundred clients per node to the nodes' neighbour, not to the nodes.
import { WebSocket } from "ws";
import { ready, serve } from "../../lib/ipc.js";
import { quantile } from "../../lib/stats.js";
import { type ClientStats, type ConnectArgs, type LatencySummary, nowMicros } from "./wire.js";

/** Handshakes in flight at once while connecting. */
const CONNECT_CONCURRENCY = 32;
const CHAR_0 = 0x30;
const CHAR_2 = 0x32;
const CHAR_4 = 0x34;
const COMMA = 0x2c;

const sockets: WebSocket[] = [];
let received: number[] = [];
let crossNode: number[] = [];
let local: number[] = [];

function reset(nodes: number): void {
  received = new Array<number>(nodes).fill(0);
  crossNode = [];
  local = [];
}

/**
 * The stamp of `42["m",<µs>,<i>]`: the digits after the first comma. Read from the bytes, so a
 * frame costs no string.
 */
function stampOf(frame: Buffer): number {
  let i = frame.indexOf(COMMA, 2) + 1;
  if (i === 0) return Number.NaN;
  let value = 0;
  for (let c = frame[i]; c !== undefined && c >= CHAR_0 && c <= CHAR_0 + 9; c = frame[++i]) {
    value = value * 10 + (c - CHAR_0);
  }
  return value;
}

/** Opens one client on `node`'s server and resolves once its Socket.IO CONNECT arrived. */
function open(url: string, node: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
    let connected = false;
    ws.once("error", reject);
    ws.on("message", (frame: Buffer) => {
      const type = frame[0];
      if (type === CHAR_4 && frame[1] === CHAR_2) {
        const latency = nowMicros() - stampOf(frame);
        received[node] = (received[node] ?? 0) + 1;
        (node === 0 ? local : crossNode).push(latency);
      } else if (type === CHAR_2) {
        ws.send("3");
      } else if (type === CHAR_0) {
        ws.send("40");
      } else if (type === CHAR_4 && frame[1] === CHAR_0 && !connected) {
        connected = true;
        resolve(ws);
      }
    });
  });
}

async function connect({ urls, perNode, room }: ConnectArgs): Promise<number> {
  if (received.length !== urls.length) reset(urls.length);
  const jobs = urls.flatMap((base, node) => {
    const url = `${base.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket&room=${encodeURIComponent(room)}`;
    return Array.from({ length: perNode }, () => ({ url, node }));
  });
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let job = jobs[next++]; job !== undefined; job = jobs[next++]) {
      sockets.push(await open(job.url, job.node));
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  return sockets.length;
}

function summary(values: number[]): LatencySummary {
  return { p50: quantile(values, 0.5), p99: quantile(values, 0.99), count: values.length };
}

serve({
  connect: (args) => connect(args as ConnectArgs),
  reset: () => reset(received.length),
  /** Total received so far (cheap: polled while waiting for the tail). */
  count: () => received.reduce((a, b) => a + b, 0),
  stats: (): ClientStats => ({
    received: [...received],
    crossNode: summary(crossNode),
    local: summary(local),
  }),
  close: () => {
    for (const ws of sockets.splice(0)) ws.terminate();
  },
});
ready(null);
