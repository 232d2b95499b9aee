// Helpers of the lean Node WebSocket client tests (node-ws-*.test.ts): open a LeanWebSocket and
// record its events, and a raw upgrade server that answers a valid 101 and then writes whatever
// bytes a test gives it (for frames `ws` would never send).
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import {
  LeanWebSocket,
  type LeanWebSocketOptions,
} from "../../packages/client/src/node/ws-client.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** The upgraded sockets of each raw server (closeAllConnections does not see them). */
const upgraded = new WeakMap<Server, Set<Socket>>();

/** What a LeanWebSocket reported. */
export interface Recorded {
  ws: LeanWebSocket;
  messages: unknown[];
  errors: Array<{ error: unknown; message: string }>;
  /** Resolves with the close event. */
  closed: Promise<{ code: number; reason: string; wasClean: boolean }>;
  /** Resolves on open, rejects on an error before it. */
  opened: Promise<void>;
  /** Resolves once `n` messages arrived. */
  received(n: number): Promise<unknown[]>;
}

/** Creates a LeanWebSocket on `url` and records its events. */
export function record(url: string, options: Partial<LeanWebSocketOptions> = {}): Recorded {
  const ws = new LeanWebSocket(url, {
    headers: undefined,
    protocols: [],
    agent: undefined,
    tls: {},
    ...options,
  });
  const messages: unknown[] = [];
  const errors: Recorded["errors"] = [];
  let waiter: { n: number; resolve: (m: unknown[]) => void } | undefined;
  const opened = new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = (event) => {
      const e = event as { error: unknown; message: string };
      errors.push({ error: e.error, message: e.message });
      reject(e.error);
    };
  });
  opened.catch(() => {});
  const closed = new Promise<{ code: number; reason: string; wasClean: boolean }>((resolve) => {
    ws.onclose = (event) => resolve(event as { code: number; reason: string; wasClean: boolean });
  });
  ws.onmessage = (event) => {
    messages.push(event.data);
    if (waiter !== undefined && messages.length >= waiter.n) waiter.resolve(messages);
  };
  const received = (n: number): Promise<unknown[]> =>
    messages.length >= n
      ? Promise.resolve(messages)
      : new Promise((resolve) => {
          waiter = { n, resolve };
        });
  return { ws, messages, errors, closed, opened, received };
}

/** A loopback HTTP server whose upgrades `onUpgrade` answers; returns its ws:// URL. */
export async function rawServer(
  onUpgrade: (req: IncomingMessage, socket: Socket, accept: string) => void,
): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  const sockets = new Set<Socket>();
  upgraded.set(server, sockets);
  server.on("upgrade", (req: IncomingMessage, socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    // Like a WebSocket server: end our side when the client ends its side.
    socket.on("end", () => socket.end());
    const key = req.headers["sec-websocket-key"] ?? "";
    const accept = createHash("sha1")
      .update(key + GUID)
      .digest("base64");
    onUpgrade(req, socket, accept);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `ws://127.0.0.1:${port}/socket.io/?EIO=4`, server };
}

/** The 101 answer for `accept`. */
export function switching(accept: string): string {
  return (
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    `Sec-WebSocket-Accept: ${accept}\r\n\r\n`
  );
}

/** Unmasks the client frames in `data` (whole frames only); returns [opcode, payload] pairs. */
export function clientFrames(data: Buffer): Array<[number, Buffer]> {
  const frames: Array<[number, Buffer]> = [];
  let at = 0;
  while (at + 2 <= data.length) {
    let length = (data[at + 1] as number) & 0x7f;
    let header = 2;
    if (length === 126) {
      length = data.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) {
      length = Number(data.readBigUInt64BE(at + 2));
      header = 10;
    }
    const mask = data.subarray(at + header, at + header + 4);
    const start = at + header + 4;
    if (start + length > data.length) break;
    const payload = Buffer.from(data.subarray(start, start + length));
    for (let i = 0; i < length; i++) payload[i] = (payload[i] as number) ^ (mask[i & 3] as number);
    frames.push([(data[at] as number) & 0x0f, payload]);
    at = start + length;
  }
  return frames;
}

/** Closes `server` and every connection it holds (upgraded ones included). */
export async function closeServer(server: Server | undefined): Promise<void> {
  if (server === undefined) return;
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeAllConnections();
  for (const socket of upgraded.get(server) ?? []) socket.destroy();
  await closed;
}
