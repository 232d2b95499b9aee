// The server behind the front door of the primary and the balancer (front-door.ts): node:http with
// every limit set, client errors answered 400/408/431 and handler faults contained, so no input
// reaches an uncaught throw.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { answer, answerRaw } from "./answer.js";
import type { ResolvedLimits } from "./limits.js";

/** What the front door hands on: one parsed request, or one upgrade with its socket. */
export interface FrontHandlers {
  onRequest(req: IncomingMessage, res: ServerResponse): void;
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** Counters of requests refused before routing. */
export interface FrontStats {
  clientErrors: number;
  tooManyHeaders: number;
  /** Connections closed for pipelining more than `maxPipelinedRequests`. */
  tooManyPipelined: number;
}

/** Creates the bounded server; `idleTimeoutMs` closes connections silent for that long. */
export function createFrontServer(
  limits: ResolvedLimits,
  idleTimeoutMs: number,
  handlers: FrontHandlers,
  stats: FrontStats,
): Server {
  const server = createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, limits.headersTimeoutMs / 4)),
    noDelay: true,
  });
  // node:http truncates past maxHeadersCount; one extra lets the handler see the breach.
  server.maxHeadersCount = limits.maxHeaderCount + 1;
  server.timeout = idleTimeoutMs;
  const tooManyHeaders = (req: IncomingMessage): boolean => {
    if (req.rawHeaders.length / 2 <= limits.maxHeaderCount) return false;
    stats.tooManyHeaders++;
    return true;
  };
  // node:http runs pipelined requests concurrently; bound them so one connection cannot fan out
  // thousands of upstream requests.
  const pending = new WeakMap<object, number>();
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const count = (pending.get(req.socket) ?? 0) + 1;
    if (count > limits.maxPipelinedRequests) {
      stats.tooManyPipelined++;
      req.socket.destroy();
      return;
    }
    pending.set(req.socket, count);
    res.once("close", () => pending.set(req.socket, (pending.get(req.socket) ?? 1) - 1));
    if (tooManyHeaders(req)) return answer(res, 431, "Too many header fields");
    try {
      handlers.onRequest(req, res);
    } catch {
      answer(res, 502, "Bad Gateway");
    }
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    if (tooManyHeaders(req)) return answerRaw(socket, 431);
    try {
      handlers.onUpgrade(req, socket, head);
    } catch {
      answerRaw(socket, 502);
    }
  });
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    stats.clientErrors++;
    const written = "bytesWritten" in socket ? Number(socket.bytesWritten) : 0;
    if (error.code === "ECONNRESET" || written > 0) return void socket.destroy();
    answerRaw(socket, clientErrorStatus(error.code));
  });
  return server;
}

function clientErrorStatus(code: string | undefined): number {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return 431;
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return 408;
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return 413;
    default:
      return 400;
  }
}
