// The broadcasts with acks this node sent to the cluster, waiting for the other nodes' client
// counts and their clients' answers; each is forgotten once the caller's deadline has passed
// (answers after it change nothing).
type AckRequest = {
  clientCount: (count: number) => void;
  ack: (...args: unknown[]) => void;
  timer: NodeJS.Timeout;
};

/** The ack requests in flight on one adapter. */
export class AckRequests {
  readonly #requests: Map<string, AckRequest> = new Map();

  /** Waits for request `id`'s counts and answers for `forgetAfterMs`. */
  start(
    id: string,
    clientCount: (count: number) => void,
    ack: (...args: unknown[]) => void,
    forgetAfterMs: number,
  ): void {
    const timer = setTimeout(() => this.#requests.delete(id), forgetAfterMs);
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
