// Harness of the recovery contract: official clients that leave a node and come back to any node
// of the cluster with their pid and offset (as behind a balancer), and numbered event streams to
// check for gaps and duplicates.
import type { RecoveryCounters } from "../adapter/cluster-recovery.js";
import type { Socket } from "../socket/socket.js";
import {
  type ClusterNode,
  type ContractClient,
  type ContractIo,
  connectionOf,
  waitFor,
} from "./cluster-harness.js";

/** One numbered event: who published it, to which target, its number in that stream. */
export interface Numbered {
  from: string;
  to: string;
  n: number;
}

/** A client that can be cut off and moved to another node. */
export class RecoveringPeer {
  readonly client: ContractClient;
  /** Every `seq` event received, in arrival order. */
  readonly got: Numbered[] = [];
  /** The server-side socket on the node it is connected to (updated at every connection). */
  socket: Socket;
  node: ClusterNode;

  private constructor(client: ContractClient, socket: Socket, node: ClusterNode) {
    this.client = client;
    this.socket = socket;
    this.node = node;
    client.on("seq", (event: Numbered) => this.got.push(event));
  }

  /** Connects a socket.io-client client (`io`, websocket or polling) to `node`. */
  static async connect(
    io: ContractIo,
    node: ClusterNode,
    transports: Array<"websocket" | "polling"> = ["websocket"],
  ): Promise<RecoveringPeer> {
    const tag = `rec-${process.pid}-${Math.random()}`;
    const client = io(node.url, {
      forceNew: true,
      reconnection: false,
      transports,
      auth: { tag },
    });
    const socket = await serverSocketOf(node, tag, () => waitFor(client, "connect"));
    return new RecoveringPeer(client, socket, node);
  }

  /** Cuts the transport; resolves when the server saw the disconnection. */
  async cut(): Promise<void> {
    const gone = waitFor<[string]>(this.socket, "disconnect");
    this.client.io.engine?.close();
    await gone;
  }

  /** Reconnects to `node` (the same or another) with its pid and offset. */
  async moveTo(node: ClusterNode): Promise<void> {
    // The Manager builds its next engine from `uri`: the client comes back through another node.
    (this.client.io as unknown as { uri: string }).uri = node.url;
    const tag = (this.client as unknown as { auth: { tag: string } }).auth.tag;
    this.socket = await serverSocketOf(node, tag, () => {
      const connected = waitFor(this.client, "connect");
      this.client.connect();
      return connected;
    });
    this.node = node;
  }

  /** The numbers received from one stream, in arrival order. */
  stream(from: string, to: string): number[] {
    return this.got.filter((e) => e.from === from && e.to === to).map((e) => e.n);
  }

  close(): void {
    this.client.disconnect();
  }
}

/** Runs `connect` and resolves with the server socket of `node` whose CONNECT carried `tag`. */
async function serverSocketOf(
  node: ClusterNode,
  tag: string,
  connect: () => Promise<unknown>,
): Promise<Socket> {
  const [socket] = await Promise.all([connectionOf(node, tag), connect()]);
  return socket;
}

/** The recovery counters of a node's main namespace (throws when recovery does not run). */
export function recoveryCounters(node: ClusterNode): RecoveryCounters {
  const found = node.adapter().recoveryCounters;
  if (found === undefined) throw new Error("recovery is not running on this node");
  return found;
}

/** Emits numbered event `n` of stream `from` → `to` ("*": the namespace) from `node`. */
export function emitNumbered(node: ClusterNode, to: string, from: string, n: number): void {
  const event: Numbered = { from, to, n };
  if (to === "*") node.io.emit("seq", event);
  else node.io.to(to).emit("seq", event);
}

/** `1..n`. */
export function upTo(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
