// Worker side of node:cluster sticky routing: listens on the private socket the primary proxies
// polling requests to, and replays WebSocket upgrades the primary hands over with their socket.
import { unlinkSync } from "node:fs";
import { Server as NetServer, Socket } from "node:net";
import { StickyError, StickyErrorCode } from "../errors.js";
import {
  NODE_ID_ENV,
  readIpcMessage,
  STICKY_IPC_MARKER,
  STICKY_SOCKET_ENV,
  type StickyIpcMessage,
} from "./worker-message.js";

/** What {@link setupWorker} accepts: the HTTP server, or an object exposing it as `httpServer`. */
export type StickyWorkerTarget = NetServer | { readonly httpServer?: unknown };

/**
 * Connects this worker's HTTP server to the sticky primary. Call it instead of `listen()`.
 * Resolves once the primary can route requests here.
 * @example
 * const httpServer = createServer();
 * const io = new Server(httpServer);
 * await setupWorker(httpServer);
 * @throws StickyError `SY_ERR_STICKY_WRONG_PROCESS` outside a worker forked by `setupPrimary()`.
 */
export function setupWorker(target: StickyWorkerTarget): Promise<void> {
  const server = serverOf(target);
  const socketPath = process.env[STICKY_SOCKET_ENV];
  const send = process.send?.bind(process);
  if (socketPath === undefined || socketPath === "" || send === undefined) {
    throw new StickyError(
      StickyErrorCode.WRONG_PROCESS,
      `setupWorker() must run in a worker forked by setupPrimary() (${STICKY_SOCKET_ENV} unset)`,
    );
  }
  const post = (message: StickyIpcMessage): void => {
    if (process.connected) send(message, undefined, {}, () => undefined);
  };
  process.on("message", (value: unknown, handle: unknown) => {
    const message = readIpcMessage(value);
    if (message?.kind !== "upgrade" || !(handle instanceof Socket)) return;
    handle.once("close", () => post({ marker: STICKY_IPC_MARKER, kind: "released" }));
    handle.on("error", () => handle.destroy());
    handle.unshift(Buffer.from(message.head, "base64"));
    server.emit("connection", handle);
  });
  removeStale(socketPath);
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(new StickyError(StickyErrorCode.LISTEN_FAILED, error.message, { cause: error }));
    };
    server.once("error", onError);
    // `exclusive`: the worker binds its own private socket instead of sharing through the primary.
    server.listen({ path: socketPath, exclusive: true }, () => {
      server.off("error", onError);
      post({ marker: STICKY_IPC_MARKER, kind: "ready", nodeId: process.env[NODE_ID_ENV] ?? "" });
      resolve();
    });
  });
}

function serverOf(target: StickyWorkerTarget): NetServer {
  if (target instanceof NetServer) return target;
  if (httpServerOf(target) instanceof NetServer) return target.httpServer as NetServer;
  throw new StickyError(
    StickyErrorCode.INVALID_ARGUMENT,
    "setupWorker() needs an http.Server or an object with an httpServer (attach io to one first)",
  );
}

/** The target's `httpServer`; undefined when it has none (a Server not attached yet throws). */
function httpServerOf(target: { readonly httpServer?: unknown }): unknown {
  try {
    return target.httpServer;
  } catch {
    return undefined;
  }
}

function removeStale(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Nothing to remove: the usual case.
  }
}
