// One cluster node as its own process (a bench child): switchyard with @switchyard/adapter-redis
// or -nats, or the official socket.io with @socket.io/redis-adapter 8. Every socket joins the room
// its handshake query names (`?room=`); `publish` broadcasts to a room at a paced rate, stamped
// with the monotonic clock (CLOCK_MONOTONIC is system-wide on Linux, so another process can
// compute the one-way latency).
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ready, serve } from "../../lib/ipc.js";
import {
  BENCH_ROOM,
  type NodeConfig,
  type NodeReady,
  nowMicros,
  type PublishArgs,
} from "./wire.js";

interface IoSocket {
  handshake: { query: Record<string, unknown> };
  join(room: string): unknown;
}

/** The surface of both servers the bench uses. */
interface Io {
  on(event: "connection", listener: (socket: IoSocket) => void): unknown;
  to(room: string): { emit(event: string, ...args: unknown[]): unknown };
  of(nsp: string): {
    adapter: { rooms: Map<string, Set<string>>; serverCount(): Promise<number> };
  };
  close(): unknown;
}

const CONFIG_VAR = "BENCH_NODE";
const config = JSON.parse(process.env[CONFIG_VAR] ?? "{}") as NodeConfig;

async function createIo(http: ReturnType<typeof createServer>): Promise<Io> {
  const options = { pingInterval: 25_000, pingTimeout: 20_000 };
  if (config.impl === "official") {
    const [{ Server }, { createAdapter }, { Redis }] = await Promise.all([
      import("socket.io"),
      import("@socket.io/redis-adapter"),
      import("ioredis"),
    ]);
    const pub = new Redis(config.url);
    const sub = pub.duplicate();
    const adapter = createAdapter(pub, sub, { key: config.key });
    return new Server(http, { ...options, adapter }) as unknown as Io;
  }
  const { Server } = await import("@switchyard/server");
  if (config.bus === "nats") {
    const [{ connect }, { createAdapter }] = await Promise.all([
      import("@nats-io/transport-node"),
      import("@switchyard/adapter-nats"),
    ]);
    const nc = await connect({ servers: config.url, noEcho: true });
    const adapter = createAdapter(nc, { prefix: config.key });
    return new Server(http, { ...options, adapter }) as unknown as Io;
  }
  const [{ Redis }, { createAdapter }] = await Promise.all([
    import("ioredis"),
    import("@switchyard/adapter-redis"),
  ]);
  const pub = new Redis(config.url);
  const sub = pub.duplicate();
  const adapter = createAdapter(pub, sub, { key: config.key });
  return new Server(http, { ...options, adapter }) as unknown as Io;
}

/** Broadcasts `count` messages at `rate`/s, catching up in bursts when a timer fires late. */
function publish(
  io: Io,
  { room, count, rate }: PublishArgs,
): Promise<{ sent: number; wallMs: number }> {
  const started = performance.now();
  let sent = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      const due = Math.min(count, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
      while (sent < due) {
        // A fresh operator per message, as an application would write it.
        io.to(room).emit("m", nowMicros(), sent);
        sent++;
      }
      if (sent < count) setTimeout(tick, 1);
      else resolve({ sent, wallMs: performance.now() - started });
    };
    tick();
  });
}

const http = createServer();
const io = await createIo(http);
io.on("connection", (socket) => {
  const room = socket.handshake.query["room"];
  socket.join(typeof room === "string" && room !== "" ? room : BENCH_ROOM);
});
http.listen(0, "127.0.0.1");
await once(http, "listening");

serve({
  /** Nodes in the cluster as this node's adapter counts them. */
  servers: () => io.of("/").adapter.serverCount(),
  /** Local sockets in a room. */
  members: (room) => io.of("/").adapter.rooms.get(room as string)?.size ?? 0,
  publish: (args) => publish(io, args as PublishArgs),
  /** Raw user/system CPU counters, µs (the runner diffs them for the user/system split). */
  cpu: () => process.cpuUsage(),
});
const info: NodeReady = { port: (http.address() as AddressInfo).port };
ready(info);
