// A raw WebSocket client over node:net for the built-in engine's tests: sends the upgrade
// request as written, then any bytes; reads the HTTP answer and parses the server's frames.
import { connect, type Socket } from "node:net";
import { encodeClientFrame } from "./ws-client-frames.js";

/** A connection after the server's answer to the upgrade request. */
export interface RawWebSocket {
  readonly socket: Socket;
  /** The status line and headers of the answer (lower-case names). */
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Everything the server sent after the answer's head, so far. */
  received(): Buffer;
  /** Resolves with everything received once the server closed the connection. */
  closed(): Promise<Buffer>;
  /** Sends a masked client frame. */
  send(opcode: number, payload: string | Buffer, fin?: boolean): void;
}

/** The standard request headers of a valid upgrade. */
export function upgradeHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    Host: "127.0.0.1",
    Connection: "Upgrade",
    Upgrade: "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    ...extra,
  };
}

/** Opens a connection, sends `GET path` with `headers` (and `head` right after), reads the answer. */
export function rawUpgrade(
  port: number,
  path: string,
  headers: Record<string, string> = upgradeHeaders(),
  options: { method?: string; head?: Buffer } = {},
): Promise<RawWebSocket> {
  const socket = connect(port, "127.0.0.1");
  socket.setNoDelay(true);
  const lines = [`${options.method ?? "GET"} ${path} HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  socket.write(`${lines.join("\r\n")}\r\n\r\n`);
  if (options.head !== undefined) socket.write(options.head);
  let data = Buffer.alloc(0);
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("error", () => {});
  return new Promise((resolve, reject) => {
    let bodyStart = -1;
    socket.on("data", (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (bodyStart >= 0) return;
      const end = data.indexOf("\r\n\r\n");
      if (end < 0) return;
      bodyStart = end + 4;
      const [statusLine = "", ...headerLines] = data.subarray(0, end).toString().split("\r\n");
      const answerHeaders: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(":");
        answerHeaders[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({
        socket,
        status: Number(statusLine.split(" ")[1]),
        headers: answerHeaders,
        received: () => data.subarray(bodyStart),
        closed: () => closed.then(() => data.subarray(bodyStart)),
        send: (opcode, payload, fin = true) => {
          const bytes = typeof payload === "string" ? Buffer.from(payload) : payload;
          socket.write(encodeClientFrame({ opcode, payload: bytes, fin }));
        },
      });
    });
    socket.once("close", () => {
      if (bodyStart < 0) reject(new Error(`closed before an answer: ${data.toString()}`));
    });
  });
}

/** One frame a server sent. */
export interface ServerFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** Parses unmasked server frames (throws on a masked one or a truncated tail). */
export function parseServerFrames(bytes: Buffer): ServerFrame[] {
  const frames: ServerFrame[] = [];
  let at = 0;
  while (at < bytes.length) {
    const first = bytes[at] as number;
    const second = bytes[at + 1] as number;
    if ((second & 0x80) !== 0) throw new Error("a server frame is masked");
    let length = second & 0x7f;
    let header = 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(at + 2));
      header = 10;
    }
    if (at + header + length > bytes.length) throw new Error("a truncated server frame");
    frames.push({
      fin: (first & 0x80) !== 0,
      opcode: first & 0x0f,
      payload: bytes.subarray(at + header, at + header + length),
    });
    at += header + length;
  }
  return frames;
}

/** The status code of a close frame's payload (1005 when it has none). */
export function closeCodeOf(frame: ServerFrame | undefined): number | undefined {
  if (frame === undefined || frame.opcode !== 0x8) return undefined;
  return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
}
