// Upstream Socket.IO nodes for the sticky tests: the official `socket.io` server whose sids carry
// the node tag (`generateId` from @switchyard/server), or our own `Server` with `nodeId`, plus
// /readyz and an /echo endpoint.
import { createServer, type Server as HttpServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { createSidGenerator, Server as SwitchyardServer } from "@switchyard/server";
import { Server } from "socket.io";
import { type Socket as ClientSocket, io as connect } from "socket.io-client";

/** Which server implementation a test node runs. */
export type NodeImpl = "socket.io" | "@switchyard/server";

export interface TestNode {
  readonly id: string;
  readonly port: number;
  readonly url: string;
  /** `X-Forwarded-For` values seen on /echo, newest last. */
  readonly forwardedFor: (string | undefined)[];
  /** Engine.IO `connection_error`s seen (a misrouted sid shows up here as code 1). */
  readonly connectionErrors: number[];
  stop(): Promise<void>;
  start(): Promise<void>;
}

function nodeServer(node: { id: string; forwardedFor: (string | undefined)[] }): HttpServer {
  return createServer((req: IncomingMessage, res) => {
    if (req.url === "/readyz") return void res.end("ok");
    if (req.url === "/echo") {
      const xff = req.headers["x-forwarded-for"];
      node.forwardedFor.push(typeof xff === "string" ? xff : undefined);
      return void res.end(node.id);
    }
    if (!req.url?.startsWith("/socket.io/")) {
      res.writeHead(404).end();
    }
  });
}

/** Starts one node; `port` 0 picks a free one, a number reuses it (restart). */
export async function startNode(
  id: string,
  port = 0,
  cookie = false,
  impl: NodeImpl = "socket.io",
): Promise<TestNode> {
  const state = {
    id,
    port,
    url: "",
    forwardedFor: [] as (string | undefined)[],
    connectionErrors: [] as number[],
  };
  let http: HttpServer | undefined;
  let io: Server | SwitchyardServer | undefined;
  const start = async (): Promise<void> => {
    http = nodeServer(state);
    const options = { pingInterval: 5_000, pingTimeout: 5_000, cookie };
    if (impl === "socket.io") {
      const official = new Server(http, options);
      official.engine.generateId = createSidGenerator(id);
      official.engine.on("connection_error", (error: { code: number }) => {
        state.connectionErrors.push(error.code);
      });
      io = official;
    } else {
      const ours = new SwitchyardServer(http, { ...options, nodeId: id });
      ours.engine.on("connection_error", (error: { code: number }) => {
        state.connectionErrors.push(error.code);
      });
      io = ours;
    }
    io.on("connection", (socket) => {
      socket.on("whoami", (ack: (id: string) => void) => ack(id));
      socket.on("echo", (data: unknown, ack: (data: unknown) => void) => ack(data));
    });
    const server = http;
    await new Promise<void>((resolve) => server.listen(state.port, "127.0.0.1", resolve));
    state.port = (server.address() as AddressInfo).port;
    state.url = `http://127.0.0.1:${state.port}`;
  };
  const stop = async (): Promise<void> => {
    const server = http;
    // io.close() also closes the HTTP server, which waits for its keep-alive connections.
    const closing = io?.close();
    server?.closeAllConnections();
    await closing;
  };
  await start();
  return {
    id,
    get port() {
      return state.port;
    },
    get url() {
      return state.url;
    },
    forwardedFor: state.forwardedFor,
    connectionErrors: state.connectionErrors,
    stop,
    start,
  };
}

/** Connects an official client; rejects on `connect_error` or after `timeoutMs`. */
export function connectClient(
  url: string,
  pollingOnly: boolean,
  timeoutMs = 10_000,
): Promise<ClientSocket> {
  const socket = connect(url, {
    forceNew: true,
    reconnection: false,
    timeout: timeoutMs,
    ...(pollingOnly ? { transports: ["polling"] } : {}),
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("connect timed out")), timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("connect_error", (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
  });
}

/** Connects `count` clients, every other one polling-only; each is also pushed onto `into`. */
export async function connectClients(
  url: string,
  count: number,
  into: ClientSocket[],
): Promise<ClientSocket[]> {
  const sockets = await Promise.all(
    Array.from({ length: count }, (_, i) => connectClient(url, i % 2 === 0)),
  );
  into.push(...sockets);
  return sockets;
}

/** Asks the node behind `socket` for its id (an ack round trip). */
export function whoami(socket: ClientSocket, timeoutMs = 5_000): Promise<string> {
  return socket.timeout(timeoutMs).emitWithAck("whoami") as Promise<string>;
}
