// Load generator child: raw HTTP long-polling clients speaking the Engine.IO v4 polling wire
// (one GET always pending, POSTs serialised per client), identical for both stacks.
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import { ready, serve } from "../../lib/ipc.js";
import {
  ackId,
  CONNECT_DEFAULT,
  EIO,
  echoPacket,
  enginePath,
  latencyOf,
  openSid,
  PONG,
  RECORD_SEPARATOR,
  SIO,
} from "./wire.js";
import type { ConnectArgs, EchoArgs, RunResult } from "./ws-clients.js";

const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
let port = 0;
let closing = false;

function http(method: "GET" | "POST", path: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () =>
        res.statusCode === 200 ? resolve(text) : reject(new Error(`${res.statusCode} ${text}`)),
      );
    });
    req.on("error", reject);
    if (body !== undefined) {
      req.setHeader("Content-Type", "text/plain;charset=UTF-8");
      req.end(body);
    } else req.end();
  });
}

type PacketHandler = (client: PollingClient, packet: string) => void;
let onPacket: PacketHandler = () => {};

class PollingClient {
  readonly path: string;
  readonly pending = new Map<number, number>();
  nextId = 0;
  #outbox: string[] = [];
  #posting = false;

  constructor(sid: string) {
    this.path = enginePath("polling", sid);
  }

  /** Queues a packet; packets queued during a POST leave together in the next one. */
  send(packet: string): void {
    this.#outbox.push(packet);
    if (!this.#posting) this.#post();
  }

  #post(): void {
    const body = this.#outbox.join(RECORD_SEPARATOR);
    this.#outbox = [];
    this.#posting = true;
    http("POST", this.path, body).then(
      () => {
        this.#posting = false;
        if (this.#outbox.length > 0) this.#post();
      },
      () => {
        this.#posting = false;
      },
    );
  }

  /** Runs the long-poll loop until the generator closes. */
  async poll(first: (packet: string) => boolean): Promise<void> {
    let waiting = true;
    let resolveFirst: () => void = () => {};
    const connected = new Promise<void>((resolve) => {
      resolveFirst = resolve;
    });
    const loop = async (): Promise<void> => {
      while (!closing) {
        const payload = await http("GET", this.path).catch(() => undefined);
        if (payload === undefined) return;
        for (const packet of payload.split(RECORD_SEPARATOR)) {
          if (packet.charCodeAt(0) === EIO.PING) this.send(PONG);
          else if (waiting && first(packet)) {
            waiting = false;
            resolveFirst();
          } else onPacket(this, packet);
        }
      }
    };
    void loop();
    await connected;
  }
}

const clients: PollingClient[] = [];

async function open(): Promise<PollingClient> {
  const client = new PollingClient(openSid(await http("GET", enginePath("polling"))));
  client.send(CONNECT_DEFAULT);
  await client.poll(
    (packet) => packet.charCodeAt(0) === EIO.MESSAGE && packet.charCodeAt(1) === SIO.CONNECT,
  );
  return client;
}

async function connect(args: ConnectArgs): Promise<number> {
  port = args.port;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < args.count) {
      next++;
      clients.push(await open());
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.concurrency, args.count) }, worker));
  return clients.length;
}

/** Closed loop: `inflight` echo requests per client until `count` acks arrived. */
function echoRun(args: EchoArgs): Promise<RunResult> {
  const json = JSON.stringify({ text: "x".repeat(Math.max(0, args.payloadBytes - 12)) });
  const samples = new Float64Array(args.count);
  const start = performance.now();
  let sent = 0;
  let acked = 0;
  const send = (client: PollingClient): void => {
    const id = client.nextId++;
    client.pending.set(id, performance.now());
    client.send(echoPacket(id, json));
    sent++;
  };
  return new Promise((resolve) => {
    onPacket = (client, packet) => {
      const id = ackId(packet);
      const at = client.pending.get(id);
      if (at === undefined) return;
      client.pending.delete(id);
      samples[acked++] = performance.now() - at;
      if (sent < args.count) send(client);
      if (acked < args.count) return;
      onPacket = () => {};
      resolve({ wallMs: performance.now() - start, latency: latencyOf(samples, acked) });
    };
    for (let k = 0; k < args.inflight; k++) {
      for (const client of clients) if (sent < args.count) send(client);
    }
  });
}

serve({
  connect: (args) => connect(args as ConnectArgs),
  "echo:run": (args) => echoRun(args as EchoArgs),
  close: () => {
    closing = true;
    agent.destroy();
  },
});
ready({ pid: process.pid });
