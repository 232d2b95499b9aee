// Canned answers the router writes itself: on a ServerResponse when HTTP is parsed, or as raw
// bytes on a socket (refused upgrades, client errors). Never throws on a dead socket.
import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

/** The Engine.IO "Session ID unknown" body (docs/protocol.md §1.5, code 1). */
export const UNKNOWN_SID_BODY = '{"code":1,"message":"Session ID unknown"}';

const REASONS: Readonly<Record<number, string>> = {
  400: "Bad Request",
  408: "Request Timeout",
  413: "Payload Too Large",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** Answers a parsed request with a small body and closes the connection after it. */
export function answer(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = "text/plain; charset=utf-8",
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // A limit breach closes the connection; routing answers (400, 5xx) keep it for the next request.
  if (status === 408 || status === 431) res.shouldKeepAlive = false;
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    ...(status === 429 ? { "retry-after": "1" } : {}),
  });
  res.end(body);
}

/** Answers a polling request whose sid names no live node with the engine.io code-1 body. */
export function answerUnknownSid(res: ServerResponse): void {
  answer(res, 400, UNKNOWN_SID_BODY, "application/json");
}

/** Writes a complete `Connection: close` response as raw bytes, then ends the socket. */
export function answerRaw(socket: Duplex, status: number, body?: string): void {
  const text = body ?? REASONS[status] ?? "";
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const head =
    `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\n` +
    "Connection: close\r\nContent-Type: text/html\r\n" +
    (status === 429 ? "Retry-After: 1\r\n" : "") +
    `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n`;
  socket.end(head + text);
  socket.once("finish", () => socket.destroy());
}

/** Why an address was refused: the message of @switchyard/server's 429. */
export function tooManyRequestsMessage(reason: "connections" | "handshake-rate"): string {
  return reason === "connections"
    ? "Too many connections from this address"
    : "Too many handshakes from this address";
}

/** The body of a polling 429: the Engine.IO error shape, code 4, as @switchyard/server's. */
export function tooManyRequestsBody(reason: "connections" | "handshake-rate"): string {
  return JSON.stringify({ code: 4, message: tooManyRequestsMessage(reason) });
}
