// Load generator child: many raw `ws` clients speaking the Engine.IO v4 / Socket.IO v5 text wire
// directly (no socket.io-client), so that one process can hold thousands of connections and its
// cost per frame stays small and identical for both stacks. Commands: see `serve` below.
import { performance } from "node:perf_hooks";
import { WebSocket } from "ws";
import { ready, serve } from "../../lib/ipc.js";
import {
  ackId,
  CONNECT_DEFAULT,
  EIO,
  echoPacket,
  enginePath,
  type Latency,
  latencyOf,
  PONG,
  SIO,
  sentAt,
} from "./wire.js";

/** Arguments of `connect`. */
export interface ConnectArgs {
  port: number;
  count: number;
  /** Handshakes in flight at once. */
  concurrency: number;
}

/** Arguments of `fanout:arm`: what the next run expects. */
export interface FanoutArgs {
  /** Deliveries (broadcasts × clients) to wait for. */
  deliveries: number;
  /** Report progress (completed broadcasts) to the server every this many broadcasts. */
  progressEvery: number;
  /** Record the delivery latency of every frame. */
  latency: boolean;
}

/** Arguments of `echo:run`. */
export interface EchoArgs {
  count: number;
  /** Closed loop: requests in flight per client. Ignored when `rate` is set. */
  inflight: number;
  /** Paced: requests per second over all clients (latency is recorded). */
  rate?: number;
  payloadBytes: number;
}

/** Result of a run: wall time and latency when recorded. */
export interface RunResult {
  wallMs: number;
  latency?: Latency;
}

class Client {
  readonly ws: WebSocket;
  readonly pending = new Map<number, number>();
  nextId = 0;

  constructor(ws: WebSocket) {
    this.ws = ws;
  }
}

const clients: Client[] = [];
let onFrame: (client: Client, frame: Buffer) => void = () => {};

function now(): number {
  return performance.timeOrigin + performance.now();
}

function open(port: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${enginePath("websocket")}`, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
    });
    const client = new Client(ws);
    let connected = false;
    ws.on("error", reject);
    ws.on("message", (data: Buffer) => {
      const type = data[0];
      if (type === EIO.PING) ws.send(PONG);
      else if (type === EIO.OPEN) ws.send(CONNECT_DEFAULT);
      else if (!connected && type === EIO.MESSAGE && data[1] === SIO.CONNECT) {
        connected = true;
        resolve(client);
      } else if (type === EIO.MESSAGE) onFrame(client, data);
    });
  });
}

async function connect(args: ConnectArgs): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < args.count) {
      next++;
      clients.push(await open(args.port));
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.concurrency, args.count) }, worker));
  return clients.length;
}

let fanoutDone: Promise<RunResult> | undefined;

function armFanout(args: FanoutArgs): void {
  const samples = new Float64Array(args.latency ? args.deliveries : 0);
  const perBroadcast = clients.length;
  const reporter = clients[0];
  let received = 0;
  let reported = 0;
  let started = 0;
  fanoutDone = new Promise((resolve) => {
    onFrame = (_client, frame) => {
      if (frame[1] !== SIO.EVENT) return;
      if (received === 0) started = performance.now();
      if (args.latency) samples[received] = now() - sentAt(frame.toString());
      received++;
      const completed = Math.floor(received / perBroadcast);
      if (completed >= reported + args.progressEvery || received === args.deliveries) {
        reported = completed;
        reporter?.ws.send(`42["progress",${completed}]`);
      }
      if (received !== args.deliveries) return;
      onFrame = () => {};
      const result: RunResult = { wallMs: performance.now() - started };
      if (args.latency) result.latency = latencyOf(samples, received);
      resolve(result);
    };
  });
}

function echoRun(args: EchoArgs): Promise<RunResult> {
  const json = JSON.stringify({ text: "x".repeat(Math.max(0, args.payloadBytes - 12)) });
  const samples = new Float64Array(args.rate === undefined ? 0 : args.count);
  const start = performance.now();
  let sent = 0;
  let acked = 0;
  const send = (client: Client): void => {
    const id = client.nextId++;
    client.pending.set(id, performance.now());
    client.ws.send(echoPacket(id, json));
    sent++;
  };
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    onFrame = (client, frame) => {
      const id = ackId(frame.toString("latin1", 0, 16));
      const at = client.pending.get(id);
      if (at === undefined) return;
      client.pending.delete(id);
      if (args.rate !== undefined) samples[acked] = performance.now() - at;
      acked++;
      if (args.rate === undefined && sent < args.count) send(client);
      if (acked < args.count) return;
      clearInterval(timer);
      onFrame = () => {};
      const result: RunResult = { wallMs: performance.now() - start };
      if (args.rate !== undefined) result.latency = latencyOf(samples, acked);
      resolve(result);
    };
    const rate = args.rate;
    if (rate === undefined) {
      for (let k = 0; k < args.inflight; k++) {
        for (const client of clients) if (sent < args.count) send(client);
      }
      return;
    }
    timer = setInterval(() => {
      const due = Math.min(args.count, Math.floor(((performance.now() - start) * rate) / 1000));
      while (sent < due) send(clients[sent % clients.length] as Client);
    }, 1);
  });
}

serve({
  connect: (args) => connect(args as ConnectArgs),
  "fanout:arm": (args) => armFanout(args as FanoutArgs),
  "fanout:wait": () => fanoutDone,
  "echo:run": (args) => echoRun(args as EchoArgs),
  close: () => {
    for (const client of clients.splice(0)) client.ws.terminate();
  },
});
ready({ pid: process.pid });
