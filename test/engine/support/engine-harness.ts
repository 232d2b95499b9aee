// Test harness for the raw-wire Engine.IO suites: a real HTTP server on port 0 with an engine
// attached, plain HTTP requests, a queued `ws` client and bounded event waits. Loopback only.
import type { EventEmitter } from "node:events";
import { createServer, type IncomingHttpHeaders, request, type Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import {
  type AttachOptions,
  EngineServer,
  type EngineServerOptions,
  type EngineSession,
} from "@switchyard/server";
import { WebSocket } from "ws";
import { closedAfterEach } from "../../support/closed-after-each.js";

/** A running engine on a loopback port. */
export interface EngineHarness {
  readonly engine: EngineServer;
  readonly http: Server;
  readonly port: number;
  /** `/engine.io/?EIO=4&transport=…&…` */
  path(query: Record<string, string>): string;
  close(): Promise<void>;
}

/** Starts an HTTP server with an engine attached on a random port. */
export async function startEngine(
  options: EngineServerOptions & AttachOptions = {},
): Promise<EngineHarness> {
  const http = createServer((_req, res) => {
    res.writeHead(404).end("not engine");
  });
  const sockets = new Set<Socket>();
  http.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const engine = new EngineServer(options);
  engine.attach(http);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  const base = (options.path ?? "/engine.io").replace(/\/$/, "");
  return {
    engine,
    http,
    port,
    path: (query) => `${base}/?${new URLSearchParams(query).toString()}`,
    close: async () => {
      await engine.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/**
 * `startEngine` for the calling test file: every engine it starts and the test did not close is
 * closed after each test. Call it before the file's own afterEach hooks (which then run first).
 */
export function engineStarter(): typeof startEngine {
  return closedAfterEach(startEngine);
}

/** One complete HTTP answer. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  raw: Buffer;
}

/** Options of one raw request. */
export interface RawRequestOptions {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

/** Sends one HTTP request on its own connection and reads the whole answer. */
export function rawRequest(port: number, options: RawRequestOptions): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: options.method ?? "GET",
        path: options.path,
        headers: options.headers,
        agent: false,
        signal: options.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString(), raw });
        });
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** GET (long poll) on a session, or a handshake when `sid` is undefined. */
export function rawPoll(
  harness: EngineHarness,
  sid?: string,
  extra: Record<string, string> = {},
  init: Partial<RawRequestOptions> = {},
): Promise<RawResponse> {
  const query: Record<string, string> = { EIO: "4", transport: "polling", ...extra };
  if (sid !== undefined) query["sid"] = sid;
  return rawRequest(harness.port, { ...init, path: harness.path(query) });
}

/** POST a payload to a session. */
export function rawPost(
  harness: EngineHarness,
  sid: string,
  body: string | Buffer,
  headers: Record<string, string> = { "Content-Type": "text/plain;charset=UTF-8" },
): Promise<RawResponse> {
  return rawRequest(harness.port, {
    method: "POST",
    path: harness.path({ EIO: "4", transport: "polling", sid }),
    headers,
    body,
  });
}

/** The open packet of a polling handshake, parsed. */
export interface OpenInfo {
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
}

/** Polling handshake; resolves with the open packet and the server-side session. */
export async function handshake(
  harness: EngineHarness,
): Promise<{ open: OpenInfo; session: EngineSession; response: RawResponse }> {
  const connection = waitForEvent<[EngineSession]>(harness.engine, "connection");
  const response = await rawPoll(harness);
  if (response.status !== 200 || !response.body.startsWith("0{")) {
    throw new Error(`handshake failed: ${response.status} ${response.body}`);
  }
  const open = JSON.parse(response.body.slice(1).split("\x1e")[0] ?? "") as OpenInfo;
  const [session] = await connection;
  return { open, session, response };
}

/**
 * Resolves once the engine has taken the next HTTP request: the engine's listener runs before
 * this one, so a GET is registered as pending when it resolves.
 */
export async function requestArrives(harness: EngineHarness): Promise<void> {
  await waitForEvent(harness.http, "request");
}

/** Resolves with the arguments of the next `event`, or rejects after `timeoutMs`. */
export function waitForEvent<T extends unknown[] = unknown[]>(
  emitter: EventEmitter | { once(event: string, listener: (...args: never[]) => void): unknown },
  event: string,
  timeoutMs = 3000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for "${event}"`)),
      timeoutMs,
    );
    (emitter as EventEmitter).once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    });
  });
}

/** A `ws` client whose incoming messages are queued for `next()`. */
export interface QueuedWebSocket {
  readonly ws: WebSocket;
  /** Next message: text as string, binary as Buffer. */
  next(timeoutMs?: number): Promise<string | Buffer>;
  /** Resolves with the close code. */
  closed(timeoutMs?: number): Promise<number>;
}

/** Opens a WebSocket to the engine and queues its messages. */
export async function openWebSocket(
  harness: EngineHarness,
  query: Record<string, string>,
  options: ConstructorParameters<typeof WebSocket>[2] = {},
): Promise<QueuedWebSocket> {
  const url = `ws://127.0.0.1:${harness.port}${harness.path({ EIO: "4", transport: "websocket", ...query })}`;
  const ws = new WebSocket(url, options);
  const queue: (string | Buffer)[] = [];
  const waiters: ((message: string | Buffer) => void)[] = [];
  ws.on("message", (data, isBinary) => {
    const message = isBinary ? (data as Buffer) : data.toString();
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  let closeCode: number | undefined;
  ws.on("close", (code) => {
    closeCode = code;
  });
  ws.on("error", () => {});
  await waitForEvent(ws, "open");
  return {
    ws,
    next: (timeoutMs = 3000) => {
      const queued = queue.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no WebSocket message")), timeoutMs);
        waiters.push((message) => {
          clearTimeout(timer);
          resolve(message);
        });
      });
    },
    closed: async (timeoutMs = 3000) => {
      if (closeCode !== undefined) return closeCode;
      const [code] = await waitForEvent<[number]>(ws, "close", timeoutMs);
      return code;
    },
  };
}

/**
 * A WebSocket handshake done by hand on a plain TCP socket: resolves once the first bytes of the
 * answer (the 101) have arrived; what is written next is up to the test.
 */
export async function rawWebSocket(harness: EngineHarness): Promise<Socket> {
  const socket = connect(harness.port, "127.0.0.1");
  socket.on("error", () => {});
  await waitForEvent(socket, "connect");
  socket.write(
    `GET ${harness.path({ EIO: "4", transport: "websocket" })} HTTP/1.1\r\nHost: x\r\n` +
      "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
  );
  await waitForEvent(socket, "data");
  return socket;
}

/** Asserts a `close` event of reason "transport error" whose description has `message`. */
export function expectTransportError(args: readonly unknown[], message: string): void {
  const [reason, description] = args;
  if (reason !== "transport error")
    throw new Error(`expected transport error, got ${String(reason)}`);
  if (!(description instanceof Error) || description.message !== message) {
    throw new Error(`expected description "${message}", got ${String(description)}`);
  }
  if ((description as Error & { code?: string }).code !== "SY_ERR_ENGINE_TRANSPORT_ERROR") {
    throw new Error("expected a TransportError");
  }
}
