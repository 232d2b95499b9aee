// Broadcasts with acks across nodes. The ones this node sent wait for the other nodes' client
// counts and their clients' answers; each is forgotten once the caller's deadline (plus a grace)
// has passed, as answers after it change nothing. A peer's broadcast with ack is answered with
// this node's client count, then each local client's answer.
import { MessageType } from "./cluster-message.js";
import type { OutgoingMessage } from "./cluster-publisher.js";

/** How long after the caller's deadline a request's late answers are still taken, in ms. */
const ACK_GRACE_MS = 1000;

type AckRequest = {
  clientCount: (count: number) => void;
  ack: (...args: unknown[]) => void;
  timer: NodeJS.Timeout;
};

/** The ack requests in flight on one adapter. */
export class AckRequests {
  readonly #requests: Map<string, AckRequest> = new Map();

  /**
   * Waits for request `id`'s counts and answers until the caller's `timeoutMs` (none: 0) plus
   * {@link ACK_GRACE_MS}.
   */
  start(
    id: string,
    clientCount: (count: number) => void,
    ack: (...args: unknown[]) => void,
    timeoutMs: number | undefined,
  ): void {
    const forgetAfter = (timeoutMs ?? 0) + ACK_GRACE_MS;
    const timer = setTimeout(() => this.#requests.delete(id), forgetAfter);
    timer.unref();
    this.#requests.set(id, { clientCount, ack, timer });
  }

  /** A node reported how many of its clients the broadcast reached. */
  clientCount(id: string, count: number): void {
    this.#requests.get(id)?.clientCount(count);
  }

  /** A client of another node answered. */
  ack(id: string, answer: unknown): void {
    this.#requests.get(id)?.ack(answer);
  }

  /** Forgets every request (the adapter closes). */
  clear(): void {
    for (const request of this.#requests.values()) clearTimeout(request.timer);
    this.#requests.clear();
  }
}

/** The callbacks of a local broadcast for a peer's request `requestId`: both reply to that peer. */
export interface AckAnswers {
  clientCount(clientCount: number): void;
  ack(...args: unknown[]): void;
}

/** Answers a peer's broadcast with ack through `reply` (publishing to that peer). */
export function ackAnswers(
  requestId: string,
  reply: (message: OutgoingMessage) => void,
): AckAnswers {
  return {
    clientCount: (clientCount) => {
      const count = { requestId, clientCount };
      reply({ type: MessageType.BROADCAST_CLIENT_COUNT, data: count });
    },
    ack: (...args) => {
      const answer = { requestId, packet: args[0] };
      reply({ type: MessageType.BROADCAST_ACK, data: answer });
    },
  };
}
