// One client of the reconnect storm, speaking the Engine.IO v4 / Socket.IO v5 wire as
// socket.io-client 4.8 does with its default transports: an HTTP long-polling handshake, the
// Socket.IO CONNECT over polling, then (unless polling-only) the upgrade to a WebSocket
// (`2probe` → `3probe` → `5`). When its connection dies it reconnects after socket.io-client's
// backoff (1 s ± 50 %, doubling up to 5 s), and with connection state recovery it comes back with
// `40{"pid":…,"offset":…}` (the CONNECT reply's pid, the last string argument of the last event).
// Raw `ws` and node:http, so that one generator process holds thousands of them cheaply.
import { type Agent, request } from "node:http";
import { WebSocket } from "ws";
import { nowMicros } from "../cluster-support/wire.js";

/** socket.io-client's reconnection delays: `minMs · 2^attempt` ± `jitter`, at most `maxMs`. */
export interface Backoff {
  minMs: number;
  maxMs: number;
  jitter: number;
}

/** The delay before reconnection attempt `attempt` (0 = the first). */
export function backoffDelay(backoff: Backoff, attempt: number): number {
  const ms = Math.min(backoff.maxMs, backoff.minMs * 2 ** attempt);
  const deviation = ms * backoff.jitter * (2 * Math.random() - 1);
  return Math.max(0, Math.round(Math.min(backoff.maxMs, ms + deviation)));
}

/** What the generator hears from its clients. */
export interface ClientEvents {
  /** A client's connection died (it will reconnect). */
  lost(client: StormClient): void;
  /** A client is connected (and upgraded): `recovered` when its old session came back. */
  connected(client: StormClient, recovered: boolean, at: number): void;
  /** An attempt failed (refused, 502, …); the client tries again after its backoff. */
  failedAttempt(client: StormClient): void;
  /** A broadcast event arrived. */
  event(client: StormClient): void;
}

export interface ClientOptions {
  /** The balancer, e.g. `http://127.0.0.1:8080`. */
  base: string;
  /** Upgrade to a WebSocket (socket.io-client's default) or stay on long-polling. */
  websocket: boolean;
  agent: Agent;
  backoff: Backoff;
  events: ClientEvents;
}

const PATH = "/socket.io/?EIO=4&transport=";
const SEPARATOR = "\x1e";

class HttpStatusError extends Error {}

export class StormClient {
  readonly websocket: boolean;
  sid = "";
  connected = false;
  readonly #options: ClientOptions;
  #pid: string | undefined;
  #offset: string | undefined;
  #ws: WebSocket | undefined;
  /** Bumped by every new session: callbacks of an older one are ignored. */
  #generation = 0;
  #stopped = false;

  constructor(options: ClientOptions) {
    this.#options = options;
    this.websocket = options.websocket;
  }

  /** Connects now (the first connection: no delay). */
  start(): void {
    void this.#attempt(0);
  }

  /** Stops for good: no more reconnection. */
  stop(): void {
    this.#stopped = true;
    this.#generation++;
    this.#ws?.terminate();
  }

  async #attempt(attempt: number): Promise<void> {
    if (this.#stopped) return;
    const generation = ++this.#generation;
    try {
      const open = await this.#http("GET", `${PATH}polling`);
      this.sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
      const auth =
        this.#pid !== undefined && this.#offset !== undefined
          ? JSON.stringify({ pid: this.#pid, offset: this.#offset })
          : "";
      await this.#http("POST", this.#sidPath("polling"), `40${auth}`);
      const previousPid = this.#pid;
      await this.#awaitConnect(generation);
      if (this.websocket) await this.#upgrade(generation);
      if (generation !== this.#generation) return;
      this.connected = true;
      this.#options.events.connected(
        this,
        previousPid !== undefined && previousPid === this.#pid,
        nowMicros(),
      );
      if (!this.websocket) void this.#pollLoop(generation);
    } catch {
      if (generation !== this.#generation || this.#stopped) return;
      this.#ws?.terminate();
      this.#options.events.failedAttempt(this);
      setTimeout(
        () => void this.#attempt(attempt + 1),
        backoffDelay(this.#options.backoff, attempt + 1),
      );
    }
  }

  /** Polls until the CONNECT reply; `44` (connect error) fails the attempt. */
  async #awaitConnect(generation: number): Promise<void> {
    for (let polls = 0; polls < 10 && generation === this.#generation; polls++) {
      for (const packet of (await this.#http("GET", this.#sidPath("polling"))).split(SEPARATOR)) {
        if (packet.startsWith("44")) throw new Error(`connect error ${packet}`);
        if (packet.startsWith("40")) {
          const data = packet.length > 2 ? (JSON.parse(packet.slice(2)) as { pid?: string }) : {};
          this.#pid = data.pid;
          return;
        }
        this.#onPacket(packet, generation);
      }
    }
    throw new Error("no CONNECT reply");
  }

  #upgrade(generation: number): Promise<void> {
    const url = `${this.#options.base.replace(/^http/, "ws")}${this.#sidPath("websocket")}`;
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
    this.#ws = ws;
    return new Promise((resolve, reject) => {
      let upgraded = false;
      ws.once("open", () => ws.send("2probe"));
      ws.on("message", (data: Buffer) => {
        const packet = data.toString();
        if (!upgraded) {
          if (packet !== "3probe") return;
          upgraded = true;
          ws.send("5");
          resolve();
          return;
        }
        if (packet === "2") ws.send("3");
        else this.#onPacket(packet, generation);
      });
      ws.once("error", reject);
      ws.once("close", () => {
        if (!upgraded) reject(new Error("closed during upgrade"));
        else this.#lose(generation);
      });
    });
  }

  /** The long-poll of a polling-only client: one GET always pending, pings answered. */
  async #pollLoop(generation: number): Promise<void> {
    while (generation === this.#generation) {
      let body: string;
      try {
        body = await this.#pollOnce();
      } catch {
        this.#lose(generation);
        return;
      }
      for (const packet of body.split(SEPARATOR)) {
        if (packet === "2") void this.#http("POST", this.#sidPath("polling"), "3").catch(() => {});
        else this.#onPacket(packet, generation);
      }
    }
  }

  /**
   * One GET; a network error on a reused keep-alive connection (closed by the balancer while
   * idle) is tried once more, so only a node's answer or a second failure counts as lost.
   */
  async #pollOnce(): Promise<string> {
    try {
      return await this.#http("GET", this.#sidPath("polling"));
    } catch (error) {
      if (error instanceof HttpStatusError) throw error;
      return this.#http("GET", this.#sidPath("polling"));
    }
  }

  #onPacket(packet: string, generation: number): void {
    if (packet === "1" || packet.startsWith("41")) {
      this.#lose(generation);
      return;
    }
    if (!packet.startsWith("42")) return;
    this.#options.events.event(this);
    const args = JSON.parse(packet.slice(2)) as unknown[];
    const last = args[args.length - 1];
    if (typeof last === "string") this.#offset = last;
  }

  #lose(generation: number): void {
    if (generation !== this.#generation || this.#stopped) return;
    this.#generation++;
    this.connected = false;
    this.#ws?.terminate();
    this.#ws = undefined;
    this.#options.events.lost(this);
    const retry = ++this.#generation;
    setTimeout(
      () => {
        if (retry === this.#generation) void this.#attempt(0);
      },
      backoffDelay(this.#options.backoff, 0),
    );
  }

  #sidPath(transport: string): string {
    return `${PATH}${transport}&sid=${encodeURIComponent(this.sid)}`;
  }

  #http(method: "GET" | "POST", path: string, body?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.#options.base}${path}`,
        {
          method,
          agent: this.#options.agent,
          headers: body === undefined ? {} : { "content-type": "text/plain;charset=UTF-8" },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString();
            if (res.statusCode === 200) resolve(text);
            else reject(new HttpStatusError(`${method} ${res.statusCode}: ${text}`));
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }
}
