// The load generator of the cluster bench (a child): raw `ws` clients speaking the Engine.IO v4 /
// Socket.IO v5 text wire (open → "40" → CONNECT, ping → pong, EVENT frames), the same code for
// both stacks. During a burst it sends node 0 the progress of the slowest client over a control
// socket of its own (flow control). socket.io-client costs ~10× more per received frame, which on
// 2 shared cores would bill the rooms of a hundred clients per node to the nodes' neighbour, not
// to the nodes.
import { performance } from "node:perf_hooks";
import { WebSocket } from "ws";
import { ready, serve } from "../../lib/ipc.js";
import { quantile } from "../../lib/stats.js";
import {
  type BurstArm,
  type BurstResult,
  type ClientStats,
  CONTROL_ROOM,
  type ConnectArgs,
  type LatencySummary,
  nowMicros,
  PROGRESS_EVENT,
} from "./wire.js";

/** Handshakes in flight at once while connecting. */
const CONNECT_CONCURRENCY = 32;
const CHAR_0 = 0x30;
const CHAR_2 = 0x32;
const CHAR_4 = 0x34;
const COMMA = 0x2c;
/** A burst that has received nothing for this long is over (lost messages): `burst:wait` ends. */
const STALL_MS = 2_000;

const sockets: WebSocket[] = [];
let received: number[] = [];
let crossNode: number[] = [];
let local: number[] = [];
/** The control socket on node 0 (progress reports); opened by `control`. */
let control: WebSocket | undefined;

/** The burst being received: per-broadcast delivery counts, and its end. */
interface Burst {
  arm: BurstArm;
  /** Clients that have broadcast `i` so far. */
  delivered: Uint32Array;
  /** Broadcasts every client has (the slowest client's progress). */
  completed: number;
  reported: number;
  firstAt: number;
  lastAt: number;
  finish(): void;
}
/** The burst in progress (undefined once it ended: frames then count as paced ones). */
let burst: Burst | undefined;
/** The result of the last armed burst (`burst:wait`). */
let burstDone: Promise<BurstResult> | undefined;

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
  const i = frame.indexOf(COMMA, 2) + 1;
  return i === 0 ? Number.NaN : digitsAt(frame, i);
}

/**
 * The broadcast's sequence number in `42["m",<µs>,<i>]`: the digits after the second comma (with
 * connection state recovery on, the server appends an offset string: `42["m",<µs>,<i>,"<offset>"]`).
 */
function seqOf(frame: Buffer): number {
  const stamp = frame.indexOf(COMMA, 2) + 1;
  const i = stamp === 0 ? 0 : frame.indexOf(COMMA, stamp) + 1;
  return i === 0 ? Number.NaN : digitsAt(frame, i);
}

function digitsAt(frame: Buffer, start: number): number {
  let i = start;
  let value = 0;
  for (let c = frame[i]; c !== undefined && c >= CHAR_0 && c <= CHAR_0 + 9; c = frame[++i]) {
    value = value * 10 + (c - CHAR_0);
  }
  return value;
}

/** Counts one burst frame; reports the slowest client's progress to node 0 as it moves. */
function onBurstFrame(b: Burst, frame: Buffer): void {
  const now = performance.now();
  if (b.firstAt === 0) b.firstAt = now;
  b.lastAt = now;
  const seq = seqOf(frame);
  b.delivered[seq] = (b.delivered[seq] ?? 0) + 1;
  const { count, clients, progressEvery } = b.arm;
  while (b.completed < count && b.delivered[b.completed] === clients) b.completed++;
  const due = b.completed >= b.reported + progressEvery || b.completed === count;
  if (due && b.completed > b.reported) {
    b.reported = b.completed;
    control?.send(`42["${PROGRESS_EVENT}",${b.completed}]`);
  }
  if (b.completed === count) b.finish();
}

function armBurst(arm: BurstArm): void {
  reset(received.length);
  let finish = (): void => {};
  burstDone = new Promise<BurstResult>((resolve) => {
    finish = () => {
      clearInterval(watchdog);
      burst = undefined;
      resolve({
        received: [...received],
        wallMs: b.lastAt - b.firstAt,
        completed: b.completed,
      });
    };
  });
  const b: Burst = {
    arm,
    delivered: new Uint32Array(arm.count),
    completed: 0,
    reported: 0,
    firstAt: 0,
    lastAt: 0,
    finish,
  };
  const armedAt = performance.now();
  const watchdog = setInterval(() => {
    if (performance.now() - (b.lastAt || armedAt) > STALL_MS) b.finish();
  }, 100);
  burst = b;
}

/** One broadcast received by a client of `node`: counted, then timed (paced) or tracked (burst). */
function onEvent(node: number, frame: Buffer): void {
  received[node] = (received[node] ?? 0) + 1;
  if (burst !== undefined) onBurstFrame(burst, frame);
  else (node === 0 ? local : crossNode).push(nowMicros() - stampOf(frame));
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
        onEvent(node, frame);
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

function socketUrl(base: string, room: string): string {
  return `${base.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket&room=${encodeURIComponent(room)}`;
}

async function connect({ urls, perNode, room }: ConnectArgs): Promise<number> {
  if (received.length !== urls.length) reset(urls.length);
  const jobs = urls.flatMap((base, node) => {
    const url = socketUrl(base, room);
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
  /** Opens the control socket on the node at `url` (node 0, the publisher). */
  control: async (url) => {
    control = await open(socketUrl(url as string, CONTROL_ROOM), -1);
  },
  "burst:arm": (args) => armBurst(args as BurstArm),
  "burst:wait": () => burstDone,
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
    control?.terminate();
  },
});
ready(null);
