// A fleet of Socket.IO server nodes sharing one official adapter (a socket.io-adapter subclass:
// @socket.io/redis-streams-adapter, @socket.io/postgres-adapter): switchyard nodes, official
// socket.io nodes, or both (a team migrating node by node). Clients are socket.io-client peers.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type AdapterConstructor, Server } from "@switchyard/server";
import { waitFor, waitUntil } from "@switchyard/server/testing";
import { Server as OfficialServer } from "socket.io";
import { type Socket as ClientSocket, io as ioc } from "socket.io-client";

export { waitFor, waitUntil };

export type NodeKind = "switchyard" | "socket.io";

/**
 * A node's server. Both servers have this API (socket.io 4.8's); the official one is typed as
 * ours so that the suites drive every node the same way.
 */
export type FleetServer = Server;

/** A server-side socket (ours, or socket.io's on an official node). */
export type FleetSocket = Parameters<Parameters<Server["on"]>[1]>[0];

export interface FleetNode {
  readonly kind: NodeKind;
  /** `<kind>#<index>`, also stored in every socket's `data.node`. */
  readonly label: string;
  readonly io: FleetServer;
  readonly url: string;
  close(): Promise<void>;
}

/** What the fleet needs of the adapter under test. */
export interface AdapterUnderTest {
  /** A fresh `adapter` option for one node (official createAdapter() results are per node). */
  create(): Promise<unknown>;
  /** Releases what the node's adapter holds (its own clients), after the node closed. */
  release?(): Promise<void>;
}

export interface FleetOptions {
  kinds: readonly NodeKind[];
  adapter: AdapterUnderTest;
  /** Turns connection state recovery on, on every node. */
  recovery?: boolean;
  /** Namespaces created on every node up front (besides "/"), so their adapters exist. */
  namespaces?: readonly string[];
}

/** Starts one node listening on 127.0.0.1:0. */
async function startNode(
  kind: NodeKind,
  index: number,
  adapter: unknown,
  options: FleetOptions,
): Promise<FleetNode> {
  const http = createServer();
  const recovery =
    options.recovery === true
      ? { connectionStateRecovery: { maxDisconnectionDuration: 60_000 } }
      : {};
  // Official adapters' createAdapter() types its result for socket.io; ours takes it as is.
  const io =
    kind === "switchyard"
      ? new Server(http, { adapter: adapter as AdapterConstructor, ...recovery })
      : (new OfficialServer(http, { adapter: adapter as never, ...recovery }) as unknown as Server);
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const label = `${kind}#${index}`;
  const tagSockets = (socket: FleetSocket): void => {
    // A recovered socket keeps the data and rooms of its session.
    if (socket.recovered) return;
    const auth = socket.handshake.auth as { tag?: string; rooms?: string[] };
    socket.data = { tag: auth.tag, node: label };
    if (auth.rooms !== undefined) void socket.join(auth.rooms);
  };
  io.on("connection", tagSockets);
  for (const name of options.namespaces ?? []) io.of(name).on("connection", tagSockets);
  let closed = false;
  return {
    kind,
    label,
    io,
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    async close() {
      if (closed) return;
      closed = true;
      await io.close();
    },
  };
}

/** The nodes of one suite and the clients its tests open. */
export class Fleet {
  readonly nodes: FleetNode[];
  readonly #adapter: AdapterUnderTest;
  readonly #clients: ClientSocket[] = [];
  #tags = 0;

  private constructor(nodes: FleetNode[], adapter: AdapterUnderTest) {
    this.nodes = nodes;
    this.#adapter = adapter;
  }

  /** Starts the nodes, waits until every node counts them all and delivers from every node. */
  static async start(options: FleetOptions): Promise<Fleet> {
    const nodes: FleetNode[] = [];
    const fleet = new Fleet(nodes, options.adapter);
    try {
      for (const [index, kind] of options.kinds.entries()) {
        nodes.push(await startNode(kind, index, await options.adapter.create(), options));
      }
      for (const nsp of ["/", ...(options.namespaces ?? [])]) {
        await waitUntil(
          async () => {
            const counts = await Promise.all(
              nodes.map((node) => node.io.of(nsp).adapter.serverCount()),
            );
            return counts.every((count) => Number(count) === nodes.length);
          },
          `every node counts ${nodes.length} servers in ${nsp}`,
          15_000,
        );
      }
      await fleet.#settle();
      return fleet;
    } catch (err) {
      await fleet.close();
      throw err;
    }
  }

  /**
   * Some adapters start reading their bus a moment after they subscribe (redis-streams' XREAD
   * from `$`): every node broadcasts until a client on every node has heard every node.
   */
  async #settle(): Promise<void> {
    const probes = await Promise.all(this.nodes.map((node) => this.connect(node)));
    const heard = probes.map(() => new Set<string>());
    for (const [i, probe] of probes.entries()) {
      probe.client.on("probe", (label: string) => heard[i]?.add(label));
    }
    await waitUntil(
      () => {
        for (const node of this.nodes) node.io.emit("probe", node.label);
        return heard.every((labels) => labels.size === this.nodes.length);
      },
      "every node's broadcasts reach every node",
      15_000,
    );
    this.closeClients();
  }

  /** Connects a client to `node` (namespace `nsp`), joining `rooms`; resolves once connected. */
  async connect(node: FleetNode, options: { rooms?: string[]; nsp?: string } = {}): Promise<Peer> {
    const tag = `t${++this.#tags}`;
    const nsp = options.nsp ?? "/";
    const joined = waitForConnection(node, nsp, tag);
    const client = ioc(`${node.url}${nsp}`, {
      forceNew: true,
      reconnection: false,
      transports: ["websocket"],
      auth: { tag, rooms: options.rooms ?? [] },
    });
    this.#clients.push(client);
    const peer = new Peer(client, tag, node);
    const [socket] = await Promise.all([joined, waitFor(client, "connect", 10_000)]);
    peer.socket = socket;
    return peer;
  }

  /** Reconnects a cut-off peer through `node` (its pid and offset go along, as after a balancer). */
  async reconnect(peer: Peer, node: FleetNode): Promise<void> {
    // The Manager builds its next engine from `uri`.
    (peer.client.io as unknown as { uri: string }).uri = node.url;
    const joined = waitForConnection(node, "/", peer.tag);
    const connected = waitFor(peer.client, "connect", 10_000);
    peer.client.connect();
    const [socket] = await Promise.all([joined, connected]);
    peer.socket = socket;
    peer.node = node;
  }

  closeClients(): void {
    for (const client of this.#clients.splice(0)) client.disconnect();
  }

  async close(): Promise<void> {
    this.closeClients();
    await Promise.allSettled(this.nodes.map((node) => node.close()));
    await this.#adapter.release?.();
  }
}

/** Resolves with the server-side socket of `node` whose CONNECT auth carries `tag`. */
export function waitForConnection(node: FleetNode, nsp: string, tag: string): Promise<FleetSocket> {
  const namespace = node.io.of(nsp);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no connection of ${tag} on ${node.label}`)),
      10_000,
    );
    const onConnection = (socket: FleetSocket): void => {
      if ((socket.handshake.auth as { tag?: string }).tag !== tag) return;
      clearTimeout(timer);
      namespace.off("connection", onConnection);
      resolve(socket);
    };
    namespace.on("connection", onConnection);
  });
}

/** A connected client: every `msg` it received, and an `ask` handler that acks with its tag. */
export class Peer {
  readonly client: ClientSocket;
  readonly tag: string;
  node: FleetNode;
  /** The server-side socket on the node it is connected to. */
  socket!: FleetSocket;
  readonly got: unknown[][] = [];

  constructor(client: ClientSocket, tag: string, node: FleetNode) {
    this.client = client;
    this.tag = tag;
    this.node = node;
    client.on("msg", (...args: unknown[]) => this.got.push(args));
    client.on("ask", (value: unknown, ack: (answer: unknown) => void) =>
      ack({ tag: this.tag, value }),
    );
  }

  /** The first argument of every `msg` received. */
  values(): unknown[] {
    return this.got.map((args) => args[0]);
  }
}

/** Resolves when every peer received a `msg` whose first argument is `value`. */
export async function allGot(peers: readonly Peer[], value: unknown): Promise<void> {
  await waitUntil(
    () => peers.every((peer) => peer.values().includes(value)),
    `every peer got ${JSON.stringify(value)}`,
    10_000,
  );
}

/**
 * A fence: `from` emits `fence` to everyone, and each peer must see it. The adapters under test
 * keep one publisher's order (one stream, one channel), so what `from` broadcast before the
 * fence has arrived too; an unexpected delivery had that long to show up.
 */
export async function fence(from: FleetNode, peers: readonly Peer[]): Promise<void> {
  const seen = peers.map((peer) => waitFor(peer.client, "fence", 10_000));
  from.io.emit("fence");
  await Promise.all(seen);
}
