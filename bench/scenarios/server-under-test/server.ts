// The server under test, in its own process: `tsx server.ts <switchyard|official>` starts
// `new Server(httpServer)` of @switchyard/server or socket.io 4.8 with default options and the
// same handlers, then answers the runner's commands (bench/lib/ipc.ts) to drive broadcasts.
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { ready, serve } from "../../lib/ipc.js";
import { nowMicros } from "../cluster-support/wire.js";
import { broadcastPayload, FANOUT_ROOM } from "./wire.js";

/** The part of both stacks' `Server` API this benchmark uses. */
interface SutSocket {
  join(room: string): unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
}

interface SutServer {
  on(event: "connection", listener: (socket: SutSocket) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  to(room: string): { emit(event: string, ...args: unknown[]): unknown };
  engine: { clientsCount: number };
}

type ServerConstructor = new (http: HttpServer, options: Record<string, unknown>) => SutServer;

/** What the parent gets from `ready`. */
export interface ServerReady {
  port: number;
  pid: number;
}

/** Arguments of `broadcast:burst`. */
export interface BurstArgs {
  /** Broadcasts in all. */
  count: number;
  /** Broadcasts emitted per macrotask (one setImmediate turn). */
  perTick: number;
  /** At most this many broadcasts ahead of the clients' reported progress. */
  window: number;
  payloadBytes: number;
}

/** Arguments of `broadcast:paced`. */
export interface PacedArgs {
  count: number;
  /** Broadcasts per second. */
  rate: number;
  payloadBytes: number;
}

const impl = process.argv[2];
if (impl !== "switchyard" && impl !== "official") throw new Error(`unknown stack ${impl}`);
const module = impl === "official" ? await import("socket.io") : await import("@switchyard/server");
const Server = module.Server as unknown as ServerConstructor;

const http = createServer();
// Defaults of both stacks: no permessage-deflate, no recovery, polling + websocket.
const io = new Server(http, {});

/** Broadcasts every client has received, as reported by the load generator (flow control). */
let progress = 0;
let onProgress: (() => void) | undefined;

function reportProgress(completed: number): void {
  if (completed > progress) progress = completed;
  onProgress?.();
}

function echo(data: unknown, ack: (data: unknown) => void): void {
  ack(data);
}

io.on("connection", (socket) => {
  void socket.join(FANOUT_ROOM);
  socket.on("echo", echo);
  socket.on("progress", reportProgress);
});

function now(): number {
  return performance.timeOrigin + performance.now();
}

/** Emits `count` broadcasts, `perTick` per macrotask, at most `window` ahead of the clients. */
function burst(args: BurstArgs): Promise<void> {
  progress = 0;
  const room = io.to(FANOUT_ROOM);
  let seq = 0;
  return new Promise((resolve) => {
    const step = (): void => {
      onProgress = undefined;
      const allowed = Math.min(args.count, progress + args.window);
      const end = Math.min(allowed, seq + args.perTick);
      for (; seq < end; seq++) room.emit("tick", broadcastPayload(seq, now(), args.payloadBytes));
      if (seq >= args.count) {
        resolve();
        return;
      }
      // Blocked by the window: wait for progress; else continue next turn.
      if (seq >= allowed) onProgress = () => setImmediate(step);
      else setImmediate(step);
    };
    step();
  });
}

/** Emits `count` broadcasts at `rate` per second, each stamped with its send time. */
function paced(args: PacedArgs): Promise<void> {
  const room = io.to(FANOUT_ROOM);
  const start = performance.now();
  let seq = 0;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(
        args.count,
        Math.floor(((performance.now() - start) * args.rate) / 1000),
      );
      for (; seq < due; seq++) room.emit("tick", broadcastPayload(seq, now(), args.payloadBytes));
      if (seq >= args.count) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
}

serve({
  "broadcast:burst": (args) => burst(args as BurstArgs),
  "broadcast:paced": (args) => paced(args as PacedArgs),
  clients: () => io.engine.clientsCount,
  /** One `io.emit` to every client; returns the monotonic µs (system-wide) just before it. */
  "emit:all": () => {
    const at = nowMicros();
    io.emit("all", at);
    return at;
  },
});

http.listen(0, "127.0.0.1", () => {
  const { port } = http.address() as AddressInfo;
  ready({ port, pid: process.pid } satisfies ServerReady);
});
