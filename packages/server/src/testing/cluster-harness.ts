// Harness of the adapter contract suite: N Servers (each on its own loopback port) sharing one
// bus, Socket.IO client peers (the `io` the suite is given), bounded waits. Every node and client
// is closed by its owner.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { AdapterConstructor } from "../adapter/adapter.js";
import type { ClusterAdapter } from "../adapter/cluster-adapter.js";
import type { ClusterAdapterOptions } from "../adapter/cluster-options.js";
import { Server } from "../server.js";
import type { ServerOptions } from "../server-options.js";
import type { Socket } from "../socket/socket.js";

/** What the suites pass to the client's `io(url, options)`. */
export interface ContractClientOptions {
  forceNew: boolean;
  reconnection: boolean;
  transports: Array<"websocket" | "polling">;
  auth: { tag: string };
}

/**
 * The part of a Socket.IO client socket the suites use: socket.io-client's `Socket` has it, and
 * so does @switchyard/client's.
 */
export interface ContractClient {
  readonly connected: boolean;
  readonly recovered: boolean;
  /** The client's Manager: the suites close its engine to cut the connection. */
  readonly io: { readonly engine?: { close(): unknown } | undefined };
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: string, listener: (...args: never[]) => void): unknown;
  connect(): unknown;
  disconnect(): unknown;
}

/**
 * The client the suites connect with: `io` of socket.io-client (the recovery contract moves a
 * client between nodes through socket.io-client's Manager `uri` and forges its `_pid` /
 * `_lastOffset`), or of @switchyard/client for the adapter contract.
 */
export type ContractIo = (url: string, options: ContractClientOptions) => ContractClient;

/** A bus the contract runs on: in-process, Redis, NATS, IPC, or yours. */
export interface ContractBus {
  /** The `adapter` option of one node. */
  adapter(options: ClusterAdapterOptions): AdapterConstructor;
  /** Publishes raw bytes where every node of namespace `nsp` listens (hostile input). */
  inject(nsp: string, payload: Uint8Array): Promise<void>;
  /** The bus's Emitter with `recovery` on (buses that have one). */
  recoveryEmitter?(): RoomEmitter;
  close(): Promise<void>;
}

/** The part of an Emitter the suites use. */
export interface RoomEmitter {
  emit(event: string, ...args: unknown[]): unknown;
  to(room: string): { emit(event: string, ...args: unknown[]): unknown };
  readonly volatile: { emit(event: string, ...args: unknown[]): unknown };
}

/** One server node of the cluster. */
export interface ClusterNode {
  io: Server;
  url: string;
  /** The adapter of namespace `name` (default "/"). */
  adapter(name?: string): ClusterAdapter;
  close(): Promise<void>;
}

/** Contract defaults: fast heartbeats so membership settles quickly on a loaded machine. */
export const CONTRACT_OPTIONS: ClusterAdapterOptions = {
  heartbeatInterval: 250,
  heartbeatTimeout: 2500,
  requestsTimeout: 2000,
};

/** Starts one node on 127.0.0.1:0 with the bus's adapter. */
export async function startNode(
  bus: ContractBus,
  options: ClusterAdapterOptions = CONTRACT_OPTIONS,
  serverOptions: Partial<ServerOptions> = {},
): Promise<ClusterNode> {
  const http = createServer();
  const io = new Server(http, { ...serverOptions, adapter: bus.adapter(options) });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const port = (http.address() as AddressInfo).port;
  let closed = false;
  return {
    io,
    url: `http://127.0.0.1:${port}`,
    adapter: (name = "/") => io.of(name).adapter as unknown as ClusterAdapter,
    async close() {
      if (closed) return;
      closed = true;
      await io.close();
    },
  };
}

/** Polls `condition` every 10 ms until it holds; rejects after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves when every node's adapter of `nsp` counts `n` servers. */
export async function waitForMembers(nodes: ClusterNode[], n: number, nsp = "/"): Promise<void> {
  await waitUntil(async () => {
    const counts = await Promise.all(nodes.map((node) => node.adapter(nsp).serverCount()));
    return counts.every((count) => count === n);
  }, `every node counts ${n} servers`);
}

/**
 * Resolves when every node's pending room subscriptions reached the bus, and (recovery on) the
 * new rooms know from which position their members are in them.
 */
export async function settleSubscriptions(nodes: ClusterNode[], nsp = "/"): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      const adapter = node.adapter(nsp);
      // With recovery, this also waits for the new rooms' floors (whenRoomsSettled).
      await adapter.whenSubscribed();
    }),
  );
}

/** Resolves with the arguments of the next `event` on `emitter`, or rejects after `timeoutMs`. */
export function waitFor<T extends unknown[] = unknown[]>(
  target: object,
  event: string,
  timeoutMs = 5000,
): Promise<T> {
  const emitter = target as { once(event: string, fn: (...args: unknown[]) => void): unknown };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for "${event}"`)),
      timeoutMs,
    );
    emitter.once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as unknown as T);
    });
  });
}

/** Resolves with the next server socket of `node` whose CONNECT auth carries `tag` (5 s bound). */
export function connectionOf(node: ClusterNode, tag: string, nsp = "/"): Promise<Socket> {
  const namespace = node.io.of(nsp);
  return new Promise<Socket>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no server-side socket")), 5000);
    const onConnection = (socket: Socket): void => {
      if (socket.handshake.auth["tag"] !== tag) return;
      clearTimeout(timer);
      namespace.off("connection", onConnection);
      resolve(socket);
    };
    namespace.on("connection", onConnection);
  });
}

/** A connected client and its server-side socket. */
export interface Peer {
  client: ContractClient;
  socket: Socket;
  /** Every `msg` event the client received, as argument arrays. */
  got: unknown[][];
}

/** Tracks clients so that each test closes what it opened. */
export class Peers {
  readonly #io: ContractIo;
  readonly #clients: ContractClient[] = [];
  #tags = 0;

  /** Peers connect with `io` (socket.io-client's or @switchyard/client's). */
  constructor(io: ContractIo) {
    this.#io = io;
  }

  /** Connects a client to `node` (namespace `nsp`) and finds its server socket. */
  async connect(node: ClusterNode, nsp = "/"): Promise<Peer> {
    const tag = `peer-${process.pid}-${++this.#tags}-${Math.random()}`;
    const found = connectionOf(node, tag, nsp);
    const client = this.#io(`${node.url}${nsp}`, {
      forceNew: true,
      reconnection: false,
      transports: ["websocket"],
      auth: { tag },
    });
    this.#clients.push(client);
    const got: unknown[][] = [];
    client.on("msg", (...args: unknown[]) => got.push(args));
    const [socket] = await Promise.all([found, waitFor(client, "connect")]);
    return { client, socket, got };
  }

  /** Disconnects every client opened so far. */
  closeAll(): void {
    for (const client of this.#clients.splice(0)) client.disconnect();
  }
}

/** Resolves when every peer's client got at least `n` `msg` events. */
export async function received(peers: Peer[], n: number): Promise<void> {
  await waitUntil(() => peers.every((peer) => peer.got.length >= n), `${n} msg event(s) arrived`);
}

/**
 * A fence: `from` broadcasts `fence` to everyone and every peer's client must see it. A single
 * Redis (and the in-process bus) keeps one publisher's order across channels, so whatever
 * `from` broadcast before has arrived too. Redis Cluster does not order across channels (they
 * live on different shards): there, await the expected deliveries with `received()` first; the
 * fence then only bounds how long an unexpected delivery had to show up.
 */
export async function fence(from: ClusterNode, peers: Peer[]): Promise<void> {
  const seen = peers.map((peer) => waitFor(peer.client, "fence"));
  from.io.emit("fence");
  await Promise.all(seen);
}
