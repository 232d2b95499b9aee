// Harness of the @socket.io/admin-ui tests: instrumented switchyard nodes, and an admin client
// speaking to the `/admin` namespace as the admin UI does (socket.io-client, credentials in auth).
import { once } from "node:events";
import { createServer, type Server as HttpServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { instrument } from "@socket.io/admin-ui";
import { type AdapterConstructor, Server } from "@switchyard/server";
import { waitUntil } from "@switchyard/server/testing";
import { type Socket as ClientSocket, io as ioc } from "socket.io-client";

/** bcrypt hash (cost 4) of ADMIN_PASSWORD, as the admin-ui README has users configure it. */
export const ADMIN_HASH = "$2a$04$r3n5p7A0Ek/VTUhA7K2Fu.kRgczhUC6JTpfBvtHkPdsAchfAnmMAW";
export const ADMIN_PASSWORD = "s3cret-admin";

export interface AdminNode {
  io: Server;
  http: HttpServer;
  url: string;
  serverId: string;
}

/** A switchyard node instrumented by admin-ui (basic auth, development mode). */
export async function startInstrumented(
  serverId: string,
  adapter?: AdapterConstructor,
  handler?: RequestListener,
): Promise<AdminNode> {
  // Requests outside the Socket.IO path go to `handler` (the engine keeps earlier listeners).
  const http = handler === undefined ? createServer() : createServer(handler);
  const io = new Server(http, adapter === undefined ? {} : { adapter });
  // admin-ui's typings name socket.io's Server class; ours has the API it uses.
  instrument(io as never, {
    auth: { type: "basic", username: "admin", password: ADMIN_HASH },
    mode: "development",
    serverId,
  });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  return { io, http, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, serverId };
}

export interface SerializedSocket {
  id: string;
  clientId: string;
  transport: string;
  nsp: string;
  data: Record<string, unknown>;
  handshake: { address: string; headers: Record<string, string>; query: Record<string, string> };
  rooms: string[];
}

export interface ServerStats {
  serverId: string;
  hostname: string;
  pid: number;
  uptime: number;
  clientsCount: number;
  pollingClientsCount: number;
  aggregatedEvents: Array<{ type: string; subType?: string; count: number }>;
  namespaces: Array<{ name: string; socketsCount: number }>;
}

/** The admin UI's connection: every event it received, by name. */
export class AdminClient {
  readonly socket: ClientSocket;
  readonly events: Array<[string, ...unknown[]]> = [];

  constructor(url: string, password = ADMIN_PASSWORD) {
    this.socket = ioc(`${url}/admin`, {
      forceNew: true,
      reconnection: false,
      transports: ["websocket"],
      auth: { username: "admin", password },
    });
    this.socket.onAny((event: string, ...args: unknown[]) => this.events.push([event, ...args]));
  }

  /** The arguments of every `event` received so far. */
  all(event: string): unknown[][] {
    return this.events.filter(([name]) => name === event).map(([, ...args]) => args);
  }

  /** Waits for an `event` whose arguments satisfy `match`; resolves with them. */
  async next(event: string, match: (...args: never[]) => boolean = () => true): Promise<unknown[]> {
    let found: unknown[] | undefined;
    await waitUntil(
      () => {
        found = this.all(event).find((args) => (match as (...a: unknown[]) => boolean)(...args));
        return found !== undefined;
      },
      `admin event ${event}`,
      10_000,
    );
    return found as unknown[];
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** A plain client of the application. */
export function userClient(
  url: string,
  nsp = "/",
  transports: Array<"polling" | "websocket"> = ["websocket"],
): ClientSocket {
  return ioc(`${url}${nsp}`, { forceNew: true, reconnection: false, transports });
}
