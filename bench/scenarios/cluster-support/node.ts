// One cluster node as its own process (a bench child): one of the servers of `servers.ts`. Every
// socket joins the room its handshake query names (`?room=`), unless it was recovered (it has its
// rooms back); `publish` broadcasts to a room at a paced rate, `burst` as fast as the generator's
// progress reports allow (flow control). Each broadcast is stamped with the monotonic clock (CLOCK_MONOTONIC is system-wide on Linux, so another process can
// compute the one-way latency).
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ready, serve } from "../../lib/ipc.js";
import { createIo, type Io } from "./servers.js";
import {
  BENCH_ROOM,
  type BurstArgs,
  type NodeConfig,
  type NodeReady,
  nowMicros,
  PROGRESS_EVENT,
  type PublishArgs,
  type SocketState,
} from "./wire.js";

const CONFIG_VAR = "BENCH_NODE";
const config = JSON.parse(process.env[CONFIG_VAR] ?? "{}") as NodeConfig;

/** Broadcasts `count` messages at `rate`/s, catching up in bursts when a timer fires late. */
function publish(
  io: Io,
  { room, count, rate, event = "m" }: PublishArgs,
): Promise<{ sent: number; wallMs: number }> {
  const started = performance.now();
  let sent = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      const due = Math.min(count, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
      while (sent < due) {
        // A fresh operator per message, as an application would write it.
        io.to(room).emit(event, nowMicros(), sent);
        sent++;
      }
      if (sent < count) setTimeout(tick, 1);
      else resolve({ sent, wallMs: performance.now() - started });
    };
    tick();
  });
}

/** Broadcasts every client has received, as the generator last reported (flow control). */
let progress = 0;
let onProgress: (() => void) | undefined;
/** Ends the running burst early (the runner's `burst:stop` after a stall). */
let stopBurst: (() => void) | undefined;

function reportProgress(completed: number): void {
  if (completed > progress) progress = completed;
  onProgress?.();
}

/**
 * Broadcasts `count` messages, `perTick` per macrotask (one setImmediate turn), never more than
 * `window` ahead of the reported progress: the same flow control as the fanout scenario.
 */
function burst(
  io: Io,
  { room, count, perTick, window }: BurstArgs,
): Promise<{ sent: number; wallMs: number }> {
  const started = performance.now();
  progress = 0;
  let sent = 0;
  let over = false;
  return new Promise((resolve) => {
    const done = (): void => {
      over = true;
      onProgress = undefined;
      stopBurst = undefined;
      resolve({ sent, wallMs: performance.now() - started });
    };
    stopBurst = done;
    const step = (): void => {
      if (over) return;
      onProgress = undefined;
      const allowed = Math.min(count, progress + window);
      const end = Math.min(allowed, sent + perTick);
      for (; sent < end; sent++) io.to(room).emit("m", nowMicros(), sent);
      if (sent >= count) done();
      // Blocked by the window: wait for progress; else continue next turn.
      else if (sent >= allowed) onProgress = () => setImmediate(step);
      else setImmediate(step);
    };
    step();
  });
}

const http = createServer();
const io = await createIo(http, config);
io.on("connection", (socket) => {
  const room = socket.handshake.query["room"];
  if (!socket.recovered) socket.join(typeof room === "string" && room !== "" ? room : BENCH_ROOM);
  socket.on(PROGRESS_EVENT, reportProgress);
});
http.listen(0, "127.0.0.1");
await once(http, "listening");

serve({
  /** Nodes in the cluster as this node's adapter counts them. */
  servers: () => io.of("/").adapter.serverCount(),
  /** Local sockets in a room. */
  members: (room) => io.of("/").adapter.rooms.get(room as string)?.size ?? 0,
  publish: (args) => publish(io, args as PublishArgs),
  burst: (args) => burst(io, args as BurstArgs),
  "burst:stop": () => stopBurst?.(),
  /** Resolves once this node's room subscriptions are confirmed (switchyard; official: none). */
  subscribed: () => io.of("/").adapter.whenSubscribed?.(),
  /** One local socket's state (undefined when this node does not hold it). */
  socket: (sid): SocketState | undefined => {
    const socket = io.of("/").sockets.get(sid as string);
    if (socket === undefined) return undefined;
    return { recovered: socket.recovered, rooms: [...socket.rooms] };
  },
  /** Raw user/system CPU counters, µs (the runner diffs them for the user/system split). */
  cpu: () => process.cpuUsage(),
});
const info: NodeReady = { port: (http.address() as AddressInfo).port };
ready(info);
