// Forwards one parsed request to a chosen target over a keep-alive agent, streaming the body both
// ways (nothing buffered whole). Used by the balancer (TCP upstreams) and the primary (workers).
import {
  type Agent,
  type ClientRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request,
  type ServerResponse,
} from "node:http";
import { answer } from "./answer.js";

/** Where to send a request: a TCP address or a Unix socket path, and the pool to use. */
export interface ProxyTarget {
  readonly agent: Agent;
  readonly host?: string;
  readonly port?: number;
  readonly socketPath?: string;
}

/** One proxied exchange: where to, which forwarding headers, and what to report. */
export interface ProxyExchange {
  target: ProxyTarget;
  forwardedFor: string | undefined;
  forwardedProto: string;
  /** Longest silence on the upstream exchange (long-polls stay below pingInterval). */
  timeoutMs: number;
  /** Asked when the answer starts: `true` sends `Connection: close` (the router is draining). */
  closeConnection(): boolean;
  /** Called once when the exchange is over, however it ended. */
  onDone(): void;
  /** Called when the target refused or reset the connection before answering. */
  onUnreachable(): void;
}

/** Request headers that describe one hop, not the request (RFC 9110 §7.6.1). */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "http2-settings",
  "x-forwarded-for",
  "x-forwarded-proto",
]);

/** Builds upstream headers: end-to-end headers kept, hop-by-hop dropped, forwarding set. */
export function upstreamHeaders(
  headers: IncomingHttpHeaders,
  forwardedFor: string | undefined,
  forwardedProto: string,
): OutgoingHttpHeaders {
  const dropped = new Set(HOP_BY_HOP);
  const connection = headers.connection;
  if (typeof connection === "string") {
    for (const token of connection.split(",")) dropped.add(token.trim().toLowerCase());
  }
  const out: OutgoingHttpHeaders = Object.create(null) as OutgoingHttpHeaders;
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !dropped.has(name)) out[name] = value;
  }
  if (forwardedFor !== undefined) out["x-forwarded-for"] = forwardedFor;
  out["x-forwarded-proto"] = forwardedProto;
  return out;
}

/** Response headers from the upstream's raw list, hop-by-hop ones removed (flat pairs). */
export function downstreamHeaders(rawHeaders: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? "";
    const lower = name.toLowerCase();
    if (lower === "connection" || lower === "keep-alive" || lower === "transfer-encoding") continue;
    out.push(name, rawHeaders[i + 1] ?? "");
  }
  return out;
}

/** Proxies `req` to the exchange's target and streams the answer into `res`. */
export function proxyRequest(
  req: IncomingMessage,
  res: ServerResponse,
  exchange: ProxyExchange,
): void {
  const client = req.socket;
  let upstream: ClientRequest | undefined;
  let done = false;
  // A pipelined request still queued behind others never gets a `close` on its response when the
  // connection dies, so the connection's own `close` ends the exchange too.
  const finish = (): void => {
    if (done) return;
    done = true;
    client.off("close", finish);
    if (!res.writableFinished) upstream?.destroy();
    exchange.onDone();
  };
  res.once("close", finish);
  client.once("close", finish);
  const headers = upstreamHeaders(req.headers, exchange.forwardedFor, exchange.forwardedProto);
  const bodiless =
    req.headers["content-length"] === undefined && req.headers["transfer-encoding"] === undefined;
  const send = (mayRetry: boolean): void => {
    const attempt = openUpstream(req, headers, exchange);
    upstream = attempt;
    attempt.on("response", (upRes: IncomingMessage) => relayResponse(upRes, res, exchange));
    attempt.on("error", (error: NodeJS.ErrnoException) => {
      if (done) return;
      // A pooled connection the target closed while idle: a bodiless request is safe to resend.
      if (mayRetry && attempt.reusedSocket && error.code === "ECONNRESET" && !res.headersSent) {
        return send(false);
      }
      if (isUnreachable(error.code)) exchange.onUnreachable();
      if (res.headersSent) return void res.destroy();
      answer(res, error.code === "ETIMEDOUT" ? 504 : 502, "Bad Gateway");
    });
    if (bodiless) attempt.end();
    else req.pipe(attempt);
  };
  send(bodiless);
}

function openUpstream(
  req: IncomingMessage,
  headers: OutgoingHttpHeaders,
  exchange: ProxyExchange,
): ClientRequest {
  const { target } = exchange;
  const upstream = request({
    agent: target.agent,
    method: req.method ?? "GET",
    path: req.url ?? "/",
    headers,
    ...(target.socketPath === undefined
      ? { host: target.host ?? "127.0.0.1", port: target.port ?? 80 }
      : { socketPath: target.socketPath }),
  });
  upstream.setTimeout(exchange.timeoutMs, () => {
    upstream.destroy(Object.assign(new Error("upstream timed out"), { code: "ETIMEDOUT" }));
  });
  return upstream;
}

function relayResponse(upRes: IncomingMessage, res: ServerResponse, exchange: ProxyExchange): void {
  if (res.destroyed) {
    upRes.resume();
    return;
  }
  if (exchange.closeConnection()) res.shouldKeepAlive = false;
  res.writeHead(upRes.statusCode ?? 502, downstreamHeaders(upRes.rawHeaders));
  upRes.pipe(res);
  upRes.once("error", () => res.destroy());
  upRes.once("aborted", () => res.destroy());
}

/** Errors meaning the target is not there (as opposed to a slow or broken exchange). */
export function isUnreachable(code: string | undefined): boolean {
  return (
    code === "ECONNREFUSED" || code === "ENOENT" || code === "EHOSTUNREACH" || code === "ENOTFOUND"
  );
}
