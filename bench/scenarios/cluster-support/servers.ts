// The servers a cluster node runs, behind the small surface the bench uses: switchyard with
// @switchyard/adapter-redis or -nats, or the official socket.io with @socket.io/redis-adapter 8
// (pub/sub) — or, with connection state recovery on, with @socket.io/redis-streams-adapter 0.3
// (the official adapter that keeps a history). Both servers get `connectionStateRecovery: {}`
// then, nothing else.
import type { createServer } from "node:http";
import type { NodeConfig } from "./wire.js";

export interface IoSocket {
  id: string;
  recovered: boolean;
  rooms: Set<string>;
  handshake: { query: Record<string, unknown> };
  join(room: string): unknown;
  on(event: string, listener: (completed: number) => void): unknown;
}

/** The surface of both servers the bench uses. */
export interface Io {
  on(event: "connection", listener: (socket: IoSocket) => void): unknown;
  to(room: string): { emit(event: string, ...args: unknown[]): unknown };
  of(nsp: string): {
    adapter: {
      rooms: Map<string, Set<string>>;
      serverCount(): Promise<number>;
      /** switchyard's bus adapters: every room subscription made so far is confirmed. */
      whenSubscribed?(): Promise<void>;
    };
    sockets: Map<string, IoSocket>;
  };
  close(): unknown;
}

type HttpServer = ReturnType<typeof createServer>;

/** `BENCH_MAX_BATCH_MESSAGES=1` turns our adapters' per-tick publish batching off (experiments). */
function batchOptions(): { maxBatchMessages?: number } {
  const raw = process.env["BENCH_MAX_BATCH_MESSAGES"];
  return raw === undefined || raw === "" ? {} : { maxBatchMessages: Number(raw) };
}

interface ServerOptions {
  pingInterval: number;
  pingTimeout: number;
  /** `{}`: the defaults (2 minutes, middlewares skipped), as the issue asks. */
  connectionStateRecovery?: Record<string, never>;
}

function serverOptions(config: NodeConfig): ServerOptions {
  const options: ServerOptions = { pingInterval: 25_000, pingTimeout: 20_000 };
  if (config.recovery === true) options.connectionStateRecovery = {};
  return options;
}

async function createOfficial(http: HttpServer, config: NodeConfig): Promise<Io> {
  const [{ Server }, { Redis }] = await Promise.all([import("socket.io"), import("ioredis")]);
  const options = serverOptions(config);
  const pub = new Redis(config.url);
  if (config.recovery === true) {
    // The streams adapter duplicates the client for its XREAD loop and its subscriptions.
    const { createAdapter } = await import("@socket.io/redis-streams-adapter");
    const adapter = createAdapter(pub, {
      streamName: `${config.key}-stream`,
      channelPrefix: config.key,
      sessionKeyPrefix: `${config.key}:session:`,
    });
    return new Server(http, { ...options, adapter }) as unknown as Io;
  }
  const { createAdapter } = await import("@socket.io/redis-adapter");
  const adapter = createAdapter(pub, pub.duplicate(), { key: config.key });
  return new Server(http, { ...options, adapter }) as unknown as Io;
}

/** The server of `config.impl` on `config.bus`, attached to `http`. */
export async function createIo(http: HttpServer, config: NodeConfig): Promise<Io> {
  if (config.impl === "official") return createOfficial(http, config);
  const { Server } = await import("@switchyard/server");
  const options = serverOptions(config);
  if (config.bus === "nats") {
    const [{ connect }, { createAdapter }] = await Promise.all([
      import("@nats-io/transport-node"),
      import("@switchyard/adapter-nats"),
    ]);
    const nc = await connect({ servers: config.url, noEcho: true });
    const adapter = createAdapter(nc, { prefix: config.key, ...batchOptions() });
    return new Server(http, { ...options, adapter }) as unknown as Io;
  }
  const [{ Redis }, { createAdapter }] = await Promise.all([
    import("ioredis"),
    import("@switchyard/adapter-redis"),
  ]);
  const pub = new Redis(config.url);
  const sub = pub.duplicate();
  const adapter = createAdapter(pub, sub, { key: config.key, ...batchOptions() });
  return new Server(http, { ...options, adapter }) as unknown as Io;
}
