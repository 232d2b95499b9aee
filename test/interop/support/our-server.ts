// @switchyard/server as the server of the peers' clients, with the scenario's fixed behaviour:
// "echo" is answered with its own arguments, "ignored" never; `/auth` wants the token; other
// namespaces than "/" and "/auth" are refused (the server's default). Everything the server
// sees goes to one inbox.
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo, Socket as NetSocket } from "node:net";
import { type EngineSession, Server, type Socket } from "@switchyard/server";
import { TOKEN } from "../scenario.js";
import { Inbox } from "./inbox.js";
import { toWire, type WireValue } from "./wire.js";

/** What our server saw. */
export type ServerSeen =
  | { kind: "session"; engineId: string; transport: string }
  | { kind: "connection"; nsp: string; sid: string; engineId: string }
  | { kind: "event"; nsp: string; sid: string; name: string; args: WireValue[] }
  | { kind: "upgrade"; engineId: string; transport: string }
  | { kind: "disconnect"; nsp: string; sid: string; reason: string };

export class OurServer {
  readonly seen: Inbox<ServerSeen> = new Inbox();
  readonly io: Server;
  /** Every TCP connection, upgraded ones included (the HTTP server forgets those). */
  readonly #sockets = new Set<NetSocket>();
  readonly port: number;

  private constructor(http: HttpServer, io: Server, port: number) {
    this.io = io;
    this.port = port;
    http.on("connection", (socket: NetSocket) => {
      this.#sockets.add(socket);
      socket.once("close", () => this.#sockets.delete(socket));
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts on 127.0.0.1 (port 0: any free one), with the scenario's handlers. */
  static async start(port = 0, seen?: Inbox<ServerSeen>): Promise<OurServer> {
    const http = createServer();
    const io = new Server(http);
    await new Promise<void>((resolve, reject) => {
      http.once("error", reject);
      http.listen(port, "127.0.0.1", () => resolve());
    });
    const server = new OurServer(http, io, (http.address() as AddressInfo).port);
    const inbox = seen ?? server.seen;
    const engineIds = new WeakMap<object, string>();
    io.engine.on("connection", (session: EngineSession) => {
      const engineId = session.id;
      engineIds.set(session, engineId);
      inbox.push({ kind: "session", engineId, transport: session.transport.name });
      session.on("upgrade", () =>
        inbox.push({ kind: "upgrade", engineId, transport: session.transport.name }),
      );
    });
    io.of("/auth").use((socket, next) => {
      const auth = socket.handshake.auth as { token?: unknown } | undefined;
      next(auth?.token === TOKEN ? undefined : new Error("unauthorized"));
    });
    for (const nsp of ["/", "/auth"]) {
      io.of(nsp).on("connection", (s) => watch(s, nsp, engineIds.get(s.conn) ?? "", inbox));
    }
    return server;
  }

  /** The connected socket `sid` of `nsp`. */
  socket(sid: string, nsp = "/"): Socket {
    const socket = this.io.of(nsp).sockets.get(sid);
    if (socket === undefined) throw new Error(`our server has no socket ${sid} in ${nsp}`);
    return socket;
  }

  /**
   * Stops like a server that goes away: every TCP connection is destroyed at once (a peer that
   * never answers a WebSocket close cannot hold it up), then the server closes; the port is free
   * afterwards.
   */
  async close(): Promise<void> {
    const closing = this.io.close();
    for (const socket of this.#sockets) socket.destroy();
    await closing;
  }
}

function watch(socket: Socket, nsp: string, engineId: string, seen: Inbox<ServerSeen>): void {
  const sid = socket.id;
  seen.push({ kind: "connection", nsp, sid, engineId });
  socket.on("disconnect", (reason: string) => seen.push({ kind: "disconnect", nsp, sid, reason }));
  socket.onAny((name: string, ...args: unknown[]) => {
    const ack =
      typeof args.at(-1) === "function" ? (args.pop() as (...a: unknown[]) => void) : null;
    seen.push({ kind: "event", nsp, sid, name, args: args.map(toWire) });
    if (ack !== null && name !== "ignored") ack(...args);
  });
}
