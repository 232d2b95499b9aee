// fetchSockets across nodes: the request to every live peer (partial on timeout), the question a
// recovery asks one peer (does it still hold this socket?), and the answering side.
import type { AdapterSocket, BroadcastOptions, SocketDetails } from "./adapter.js";
import {
  EMITTER_UID,
  fromWireOptions,
  MessageType,
  toWireOptions,
  type WireBroadcastOptions,
} from "./cluster-message.js";
import type { ClusterTarget } from "./cluster-publisher.js";
import { type PendingRequests, type RequestHost, randomId } from "./cluster-requests.js";

/** What fetchSockets uses of its adapter. */
export interface FetchSocketsHost extends RequestHost {
  /** Whether `uid` is a live peer; never once the adapter closed. */
  isPeer(uid: string): boolean;
  /** This node's sockets that `opts` selects (the in-memory adapter's fetchSockets). */
  local(opts: BroadcastOptions): Promise<Array<AdapterSocket | SocketDetails>>;
}

/** fetchSockets of one cluster adapter. */
export class FetchSockets {
  readonly #host: FetchSocketsHost;
  readonly #requests: PendingRequests;
  readonly #timeout: number;

  constructor(host: FetchSocketsHost, requests: PendingRequests, timeout: number) {
    this.#host = host;
    this.#requests = requests;
    this.#timeout = timeout;
  }

  /** Local sockets plus every live peer's; on timeout, what arrived (see `partial-result`). */
  async fetch(opts: BroadcastOptions): Promise<Array<AdapterSocket | SocketDetails>> {
    const host = this.#host;
    const local = await host.local(opts);
    if (opts.flags?.local === true) return local;
    const peers = host.peers();
    if (peers.length === 0) return local;
    const requestId = randomId();
    const timeout = opts.flags?.timeout ?? this.#timeout;
    const outcome = this.#requests.start<SocketDetails>(requestId, peers, timeout);
    host.publish(ALL, {
      type: MessageType.FETCH_SOCKETS,
      data: { opts: toWireOptions(opts), requestId },
    });
    const { responses, late } = await outcome;
    if (late.length > 0) host.partial(requestId, late, responses.length);
    return [...local, ...responses];
  }

  /** Asks live peer `uid` whether it holds socket `sid` (a recovery must not take a live session). */
  async holds(uid: string, sid: string): Promise<boolean> {
    if (!this.#host.isPeer(uid)) return false;
    const requestId = randomId();
    const timeout = Math.min(this.#timeout, HOLDS_TIMEOUT_MS);
    const outcome = this.#requests.start<SocketDetails>(requestId, [uid], timeout);
    const opts = { rooms: [sid], except: [], flags: {} };
    this.#host.publish(
      { kind: "node", uid },
      { type: MessageType.FETCH_SOCKETS, data: { opts, requestId } },
    );
    const { responses } = await outcome;
    return responses.some((socket) => socket.id === sid);
  }

  /** A request of node `from`: this node's matching sockets go back to it (emitters ask none). */
  async answer(from: string, wire: WireBroadcastOptions, requestId: string): Promise<void> {
    if (from === EMITTER_UID) return;
    const found = await this.#host.local(fromWireOptions(wire));
    const sockets: SocketDetails[] = found.map((socket) => ({
      id: socket.id,
      handshake: socket.handshake,
      rooms: [...socket.rooms],
      data: socket.data,
    }));
    const data = { requestId, sockets };
    this.#host.publish(
      { kind: "node", uid: from },
      { type: MessageType.FETCH_SOCKETS_RESPONSE, data },
    );
  }
}

const ALL: ClusterTarget = { kind: "all" };
/** How long a recovery waits for the node of a session still marked live (it may be dead). */
const HOLDS_TIMEOUT_MS = 2000;
