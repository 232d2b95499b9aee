// Hooks an engine onto a node:http / node:https server (docs/protocol.md §0.5, §1.11): requests whose
// URL starts with the path go to the engine, others to the server's previous listeners.

import type { EventEmitter } from "node:events";
import type { Server as HttpServer, IncomingMessage, ServerResponse } from "node:http";
import type { Http2SecureServer, Http2Server } from "node:http2";
import type { Server as HttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import { type AttachOptions, resolveEnginePath } from "../engine/options.js";

/** The part of the engine that `attach` drives. */
export interface EngineRequestHandler {
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): unknown;
}

/**
 * An HTTP server the engine can attach to. HTTP/2 servers serve polling through Node's
 * compatibility API (its request/response objects stand in for IncomingMessage/ServerResponse);
 * WebSocket upgrades need HTTP/1.1 (`allowHTTP1` on a secure HTTP/2 server).
 */
export type AttachableServer = HttpServer | HttpsServer | Http2Server | Http2SecureServer;

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** Routes `path`-prefixed requests and upgrades of `server` to `engine`. */
export function attachToServer(
  server: AttachableServer,
  engine: EngineRequestHandler,
  options: AttachOptions = {},
): void {
  const path = resolveEnginePath(options);
  const matches = (req: IncomingMessage): boolean => (req.url ?? "").slice(0, path.length) === path;
  // All four server kinds are EventEmitters with the same `request`/`upgrade` events.
  const emitter: EventEmitter = server;
  const previous = emitter.listeners("request") as RequestListener[];
  emitter.removeAllListeners("request");
  emitter.on("close", () => {
    engine.close();
  });
  emitter.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (matches(req)) {
      engine.handleRequest(req, res);
      return;
    }
    for (const listener of previous) listener.call(server, req, res);
  });
  const destroyUpgrade = options.destroyUpgrade !== false;
  const destroyUpgradeTimeout = options.destroyUpgradeTimeout ?? 1000;
  emitter.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (matches(req)) {
      engine.handleUpgrade(req, socket, head);
      return;
    }
    if (!destroyUpgrade) return;
    // Another listener may take this upgrade; if none has answered in time, drop the socket.
    // destroy(), not end(): a peer that never closes its side would keep a half-open socket.
    setTimeout(() => {
      const written = "bytesWritten" in socket ? Number(socket.bytesWritten) : 0;
      if (socket.writable && written <= 0) socket.destroy();
    }, destroyUpgradeTimeout);
  });
}
