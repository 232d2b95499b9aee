// WebSocket (or any Upgrade) proxying for the balancer: send the upgrade request upstream, relay
// the 101 head, then pipe bytes both ways until either side closes. A refusal is relayed as-is.
import { type IncomingMessage, request } from "node:http";
import { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { answerRaw } from "../front/answer.js";
import { isUnreachable, upstreamHeaders } from "../front/proxy.js";

/** One upgrade to tunnel: where to, forwarding headers, and what to report. */
export interface TunnelExchange {
  host: string;
  port: number;
  forwardedFor: string | undefined;
  forwardedProto: string;
  /** Longest silence on an open tunnel (WebSocket pings keep a live one busy). */
  idleTimeoutMs: number;
  /** Called when both sides are open (the tunnel is live); the socket pair is returned. */
  onOpen(client: Duplex, upstream: Duplex): void;
  /** Called once when the tunnel (or the attempt) is over. */
  onDone(): void;
  onUnreachable(): void;
}

/** Largest refusal body relayed from upstream; the rest is cut. */
const MAX_REFUSAL_BYTES = 65_536;

/** Opens an upgrade to the target and splices it with the client socket. */
export function tunnelUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  exchange: TunnelExchange,
): void {
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    exchange.onDone();
  };
  const headers = upstreamHeaders(req.headers, exchange.forwardedFor, exchange.forwardedProto);
  headers["connection"] = "Upgrade";
  headers["upgrade"] = req.headers.upgrade ?? "websocket";
  const upstream = request({
    agent: false,
    host: exchange.host,
    port: exchange.port,
    method: req.method ?? "GET",
    path: req.url ?? "/",
    headers,
  });
  upstream.setTimeout(exchange.idleTimeoutMs, () => upstream.destroy());
  client.once("close", () => {
    upstream.destroy();
    finish();
  });
  let upgraded = false;
  upstream.on("error", (error: NodeJS.ErrnoException) => {
    if (upgraded) return;
    if (isUnreachable(error.code)) exchange.onUnreachable();
    answerRaw(client, 502);
  });
  upstream.on("response", (res: IncomingMessage) => relayRefusal(res, client));
  upstream.on("upgrade", (res: IncomingMessage, socket: Socket, upHead: Buffer) => {
    upgraded = true;
    if (client.destroyed) return void socket.destroy();
    client.write(statusLine(res) + headerBlock(res.rawHeaders));
    if (upHead.length > 0) client.write(upHead);
    if (head.length > 0) socket.write(head);
    splice(client, socket, exchange.idleTimeoutMs);
    exchange.onOpen(client, socket);
  });
  upstream.end();
}

function splice(client: Duplex, upstream: Socket, idleTimeoutMs: number): void {
  const close = (): void => {
    client.destroy();
    upstream.destroy();
  };
  for (const side of [client, upstream]) {
    side.on("error", close);
    side.on("close", close);
    if (side instanceof Socket) {
      side.setNoDelay(true);
      side.setTimeout(idleTimeoutMs, close);
    }
  }
  client.pipe(upstream);
  upstream.pipe(client);
}

function relayRefusal(res: IncomingMessage, client: Duplex): void {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on("data", (chunk: Buffer) => {
    if (size >= MAX_REFUSAL_BYTES) return;
    chunks.push(chunk);
    size += chunk.length;
  });
  res.on("error", () => client.destroy());
  res.on("end", () => {
    const body = Buffer.concat(chunks).subarray(0, MAX_REFUSAL_BYTES);
    const kept: string[] = [];
    for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
      const name = (res.rawHeaders[i] ?? "").toLowerCase();
      if (["connection", "keep-alive", "transfer-encoding", "content-length"].includes(name)) {
        continue;
      }
      kept.push(res.rawHeaders[i] ?? "", res.rawHeaders[i + 1] ?? "");
    }
    kept.push("Connection", "close", "Content-Length", String(body.length));
    if (client.destroyed) return;
    client.write(statusLine(res) + headerBlock(kept));
    client.end(body);
  });
}

function statusLine(res: IncomingMessage): string {
  return `HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage ?? ""}\r\n`;
}

function headerBlock(rawHeaders: readonly string[]): string {
  let block = "";
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    block += `${rawHeaders[i] ?? ""}: ${rawHeaders[i + 1] ?? ""}\r\n`;
  }
  return `${block}\r\n`;
}
