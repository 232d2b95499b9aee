// serverSideEmit across nodes: events to the other nodes' namespaces, with an optional ack that
// collects one answer per live peer (partial on timeout), and the answering side.
import { ClusterRequestTimeoutError } from "./cluster-errors.js";
import { EMITTER_UID, MessageType } from "./cluster-message.js";
import type { ClusterTarget } from "./cluster-publisher.js";
import { type PendingRequests, type RequestHost, randomId } from "./cluster-requests.js";

/** What serverSideEmit uses of its adapter. */
export interface ServerSideEmitHost extends RequestHost {
  /** Hands an event from another node to the local namespace's listeners. */
  deliver(args: unknown[]): void;
}

/** serverSideEmit of one cluster adapter. */
export class ServerSideEmits {
  readonly #host: ServerSideEmitHost;
  readonly #requests: PendingRequests;
  readonly #timeout: number;

  constructor(host: ServerSideEmitHost, requests: PendingRequests, timeout: number) {
    this.#host = host;
    this.#requests = requests;
    this.#timeout = timeout;
  }

  /**
   * Sends an event to the peers. A trailing function gets `(null, responses)`, or on timeout
   * `(ClusterRequestTimeoutError, responses)` with the responses that arrived and `late` ids.
   */
  emit(packet: unknown[]): void {
    const host = this.#host;
    const last = packet[packet.length - 1];
    if (typeof last !== "function") {
      host.publish(ALL, { type: MessageType.SERVER_SIDE_EMIT, data: { packet } });
      return;
    }
    const peers = host.peers();
    if (peers.length === 0) {
      process.nextTick(() => last(null, []));
      return;
    }
    const requestId = randomId();
    const outcome = this.#requests.start(requestId, peers, this.#timeout);
    void outcome.then(({ responses, late, timedOut }) => {
      if (late.length > 0) host.partial(requestId, late, responses.length);
      const error = timedOut ? new ClusterRequestTimeoutError(responses, late) : null;
      try {
        last(error, responses);
      } catch (err) {
        // The user's callback threw: rethrow it as socket.io would, not as a rejection.
        process.nextTick(() => {
          throw err;
        });
      }
    });
    const data = { packet: packet.slice(0, -1), requestId };
    host.publish(ALL, { type: MessageType.SERVER_SIDE_EMIT, data });
  }

  /** An event from node `from`; with `requestId`, the first local answer goes back to it. */
  onRemote(from: string, packet: unknown[], requestId: string | undefined): void {
    const host = this.#host;
    if (requestId === undefined || from === EMITTER_UID) {
      host.deliver(packet);
      return;
    }
    let answered = false;
    const reply = (response: unknown): void => {
      // The first answer wins, as in socket.io.
      if (answered) return;
      answered = true;
      const data = { requestId, packet: response };
      host.publish(
        { kind: "node", uid: from },
        { type: MessageType.SERVER_SIDE_EMIT_RESPONSE, data },
      );
    };
    host.deliver([...packet, reply]);
  }
}

const ALL: ClusterTarget = { kind: "all" };
