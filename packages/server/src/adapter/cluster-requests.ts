// Requests to the other nodes (fetchSockets, serverSideEmit with ack): each waits for the live
// members it was sent to, completes early when a member leaves, and on timeout returns what
// arrived plus the ids of the nodes that did not answer.
import { randomBytes } from "node:crypto";
import { clusterLog } from "../log.js";
import type { ClusterTarget, OutgoingMessage } from "./cluster-publisher.js";

/** The outcome of one request: the responses that arrived and the nodes that did not answer. */
/** What a cluster request (fetchSockets, serverSideEmit with ack) uses of its adapter. */
export interface RequestHost {
  publish(target: ClusterTarget, message: OutgoingMessage): void;
  /** The live peers; none once the adapter closed. */
  peers(): string[];
  /** A request completed without the answers of the `late` nodes. */
  partial(requestId: string, late: string[], received: number): void;
}

export interface RequestOutcome<T> {
  responses: T[];
  /** Ids of the nodes that had not answered when the request completed (empty = complete). */
  late: string[];
  timedOut: boolean;
}

interface Pending {
  waitingFor: Set<string>;
  responses: unknown[];
  timer: NodeJS.Timeout;
  done: (outcome: RequestOutcome<unknown>) => void;
}

/** A random request (or node) id: 8 random bytes as 16 hex characters. */
export function randomId(): string {
  return randomBytes(8).toString("hex");
}

/** The table of requests in flight on one adapter. */
export class PendingRequests {
  readonly #pending: Map<string, Pending> = new Map();
  /** Requests that ran out of time with nodes still missing (read by metrics). */
  timeouts = 0;

  /** The number of requests in flight. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Registers a request waiting for `nodes` and resolves when all answered, when the remaining
   * ones left the cluster, or after `timeoutMs` (then with `timedOut` and the late node ids).
   */
  start<T>(
    requestId: string,
    nodes: Iterable<string>,
    timeoutMs: number,
  ): Promise<RequestOutcome<T>> {
    return new Promise((resolve) => {
      const waitingFor = new Set(nodes);
      if (clusterLog.enabled) {
        clusterLog.log(
          "request %s waits for %d nodes (%d ms)",
          requestId,
          waitingFor.size,
          timeoutMs,
        );
      }
      const timer = setTimeout(() => {
        if ((this.#pending.get(requestId)?.waitingFor.size ?? 0) > 0) this.timeouts++;
        this.#finish(requestId, true);
      }, timeoutMs);
      timer.unref();
      this.#pending.set(requestId, {
        waitingFor,
        responses: [],
        timer,
        done: resolve as (outcome: RequestOutcome<unknown>) => void,
      });
      if (waitingFor.size === 0) this.#finish(requestId, false);
    });
  }

  /** Whether `requestId` is one of ours and still waiting. */
  has(requestId: string): boolean {
    return this.#pending.has(requestId);
  }

  /** Records the answer of `uid`; ignores unknown requests, duplicates and strangers. */
  respond(requestId: string, uid: string, responses: readonly unknown[]): void {
    const pending = this.#pending.get(requestId);
    if (pending === undefined || !pending.waitingFor.delete(uid)) return;
    pending.responses.push(...responses);
    if (pending.waitingFor.size === 0) this.#finish(requestId, false);
  }

  /** A node left the cluster: no request waits for it any more. */
  nodeLeft(uid: string): void {
    for (const [requestId, pending] of this.#pending) {
      if (pending.waitingFor.delete(uid) && pending.waitingFor.size === 0) {
        this.#finish(requestId, false);
      }
    }
  }

  /** Completes every request now (adapter closing), naming the nodes still missing. */
  finishAll(): void {
    for (const requestId of [...this.#pending.keys()]) this.#finish(requestId, true);
  }

  #finish(requestId: string, timedOut: boolean): void {
    const pending = this.#pending.get(requestId);
    if (pending === undefined) return;
    this.#pending.delete(requestId);
    clearTimeout(pending.timer);
    const late = [...pending.waitingFor];
    if (clusterLog.enabled) {
      const how =
        late.length === 0
          ? "complete"
          : `${timedOut ? "timed out" : "closed"}, missing ${late.join(",")}`;
      clusterLog.log("request %s %s: %d responses", requestId, how, pending.responses.length);
    }
    pending.done({ responses: pending.responses, late, timedOut: timedOut && late.length > 0 });
  }
}
