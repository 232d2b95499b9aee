// The server side of the WebSocket opening handshake (RFC 6455 §4.2) on the HTTP server's
// `upgrade`: the request is checked (with the status and message `ws` answers for the same
// faults), then the `101 Switching Protocols` is written with the engine's extra header lines.
// No extension is negotiated here: a client offering permessage-deflate to an engine that enables
// it is served by `ws` instead (websocket-kind.ts).
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

/** RFC 6455 §1.3: appended to the client's key before hashing. */
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** A base64-encoded 16-byte nonce (§4.1). */
const KEY = /^[+/0-9A-Za-z]{22}==$/;
/** An HTTP token (RFC 7230 §3.2.6), the form of a sub-protocol name. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A refused handshake: its HTTP status, body and extra headers. */
export interface HandshakeRefusal {
  readonly status: number;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** An acceptable handshake: the client's key and the sub-protocol picked (undefined: none). */
export interface HandshakeAccept {
  readonly key: string;
  readonly protocol: string | undefined;
}

/** The Sec-WebSocket-Accept value for `key`. */
export function acceptValue(key: string): string {
  return createHash("sha1")
    .update(key + GUID)
    .digest("base64");
}

/**
 * The sub-protocols of a Sec-WebSocket-Protocol header, in order: comma-separated tokens with
 * optional spaces or tabs around them; undefined when the header is malformed (an empty item,
 * a non-token, a duplicate).
 */
export function parseProtocols(header: string): string[] | undefined {
  const protocols: string[] = [];
  for (const item of header.split(",")) {
    const name = item.replace(/^[ \t]+|[ \t]+$/g, "");
    if (!TOKEN.test(name) || protocols.includes(name)) return undefined;
    protocols.push(name);
  }
  return protocols;
}

/** Checks an upgrade request; the first protocol offered is picked, as `ws` does by default. */
export function checkHandshake(req: IncomingMessage): HandshakeAccept | HandshakeRefusal {
  if (req.method !== "GET") return { status: 405, message: "Invalid HTTP method" };
  const upgrade = req.headers.upgrade;
  if (upgrade === undefined || upgrade.toLowerCase() !== "websocket") {
    return { status: 400, message: "Invalid Upgrade header" };
  }
  const key = req.headers["sec-websocket-key"];
  if (key === undefined || !KEY.test(key)) {
    return { status: 400, message: "Missing or invalid Sec-WebSocket-Key header" };
  }
  const version = Number(req.headers["sec-websocket-version"]);
  if (version !== 13 && version !== 8) {
    return {
      status: 400,
      message: "Missing or invalid Sec-WebSocket-Version header",
      headers: { "Sec-WebSocket-Version": "13, 8" },
    };
  }
  const header = req.headers["sec-websocket-protocol"];
  if (header === undefined) return { key, protocol: undefined };
  const protocols = parseProtocols(header);
  if (protocols === undefined) {
    return { status: 400, message: "Invalid Sec-WebSocket-Protocol header" };
  }
  return { key, protocol: protocols[0] };
}

/** Whether the request offers the permessage-deflate extension (RFC 7692). */
export function offersPerMessageDeflate(req: IncomingMessage): boolean {
  const header = req.headers["sec-websocket-extensions"];
  return header !== undefined && /permessage-deflate/i.test(header);
}

/** The head of the 101 answer, with `extraLines` (the engine's headers) before the blank line. */
export function switchingProtocols(accept: HandshakeAccept, extraLines: readonly string[]): string {
  const lines = [
    "HTTP/1.1 101 Switching Protocols",
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Accept: ${acceptValue(accept.key)}`,
  ];
  if (accept.protocol !== undefined) lines.push(`Sec-WebSocket-Protocol: ${accept.protocol}`);
  for (const line of extraLines) lines.push(line);
  lines.push("", "");
  return lines.join("\r\n");
}

/** Answers a refused handshake and closes the socket once the answer is written. */
export function refuseHandshake(socket: Duplex, refusal: HandshakeRefusal): void {
  const headers: Record<string, string | number> = {
    Connection: "close",
    "Content-Type": "text/html",
    "Content-Length": Buffer.byteLength(refusal.message),
    ...refusal.headers,
  };
  const lines = [`HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ""}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  socket.once("finish", () => socket.destroy());
  socket.end(`${lines.join("\r\n")}\r\n\r\n${refusal.message}`);
}
