// Ordered delivery of the history without RePublish, for nats-server before 2.10. There, a stream
// stores the messages of each publishing connection on that connection's own goroutine and
// republishes them after releasing its lock: two nodes publishing at once can see their copies
// republished out of sequence order (seen here: 113 after 121), which would let a node's offsets
// claim an event it has not delivered yet. From 2.10 on, one goroutine per stream stores and
// republishes, in order. So, below 2.10, each node reads the history subjects of its prefix through
// ONE ordered consumer (the server sends a consumer's messages in sequence order, and the client
// library re-creates it from the last sequence after a reconnect) and hands each message to the
// adapters that subscribed to its live subject. The cost: every node receives every recoverable
// broadcast of the prefix, not only its rooms'.
import { DeliverPolicy, type JetStreamClient } from "@nats-io/jetstream";
import type { DeliveredPosition } from "@switchyard/server";

/** Receives one ordered message with its position. */
export type OrderedHandler = (payload: Uint8Array, position: DeliveredPosition) => void;

/** How long the delivery waits before re-creating a consumer that failed (doubling, bounded). */
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5000;

/** One ordered consumer over a prefix's history subjects, dispatched by live subject. */
export class ConsumerDelivery {
  readonly #js: JetStreamClient;
  readonly #stream: string;
  /** `{prefix}.h.` : a history subject starts with it; the live one is `{prefix}.` + the rest. */
  readonly #historyBase: string;
  readonly #liveBase: string;
  readonly #routes: Map<string, Set<OrderedHandler>> = new Map();
  readonly #positionOf: (seq: number) => DeliveredPosition;
  readonly #lastDelivered: () => number;
  readonly #onError: (cause: unknown) => void;
  #stop: (() => void) | undefined;
  #running = false;
  /** Set by {@link restart}: the next consumer starts without waiting. */
  #kicked = false;
  #wake: (() => void) | undefined;

  /**
   * `positionOf` turns every sequence delivered (routed or not) into its position, in order;
   * `lastDelivered` is the last one (0 in a new stream): every consumer starts after it;
   * `onError` gets the failures of the consumer (it is then re-created).
   */
  constructor(
    js: JetStreamClient,
    stream: string,
    prefix: string,
    positionOf: (seq: number) => DeliveredPosition,
    lastDelivered: () => number,
    onError: (cause: unknown) => void,
  ) {
    this.#lastDelivered = lastDelivered;
    this.#js = js;
    this.#stream = stream;
    this.#historyBase = `${prefix}.h.`;
    this.#liveBase = `${prefix}.`;
    this.#positionOf = positionOf;
    this.#onError = onError;
  }

  /** Whether the consumer runs (between start and stop). */
  get running(): boolean {
    return this.#running;
  }

  /** Hands the ordered messages of live subject `subject` to `handler` too. */
  route(subject: string, handler: OrderedHandler): void {
    let handlers = this.#routes.get(subject);
    if (handlers === undefined) {
      handlers = new Set();
      this.#routes.set(subject, handlers);
    }
    handlers.add(handler);
  }

  /** Stops handing `subject`'s messages to `handler`. */
  unroute(subject: string, handler: OrderedHandler): void {
    const handlers = this.#routes.get(subject);
    if (handlers?.delete(handler) && handlers.size === 0) this.#routes.delete(subject);
  }

  /**
   * Starts reading after the last message delivered (at start: the stream's last one, what was
   * stored before is read by restores). Resolves once the consumer exists (or failed once).
   */
  start(): Promise<void> {
    if (this.#running) return Promise.resolve();
    this.#running = true;
    let ready: () => void = noop;
    const started = new Promise<void>((resolve) => {
      ready = resolve;
    });
    void this.#run(ready);
    return started;
  }

  /** Re-creates the consumer now (the stream was made again: it reads it from its start). */
  restart(): void {
    if (!this.#running) return;
    this.#kicked = true;
    this.#stop?.();
    this.#wake?.();
  }

  /** Stops the consumer (its server side goes away with it). */
  stop(): void {
    this.#running = false;
    this.#stop?.();
    this.#stop = undefined;
  }

  async #run(ready: () => void): Promise<void> {
    let retry = RETRY_MIN_MS;
    while (this.#running) {
      this.#kicked = false;
      try {
        // After the last message delivered (or passed at start): nothing is lost across a
        // failure, and a re-created stream is read from its start.
        const consumer = await this.#js.consumers.get(this.#stream, {
          filter_subjects: `${this.#historyBase}>`,
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: this.#lastDelivered() + 1,
        });
        // A callback, not the async iterator: each message is handled in the I/O callback that
        // received it, as a core subscription's is, never between the microtasks of a restore.
        const messages = await consumer.consume({
          max_messages: 512,
          callback: (message) => this.#dispatch(message.subject, message.seq, message.data),
        });
        this.#stop = () => {
          void messages.close().catch(noop);
        };
        if (!this.#running || this.#kicked) this.#stop();
        ready();
        retry = RETRY_MIN_MS;
        const ended = await messages.closed();
        if (ended instanceof Error) throw ended;
      } catch (cause) {
        if (this.#running) this.#onError(cause);
      }
      ready();
      if (!this.#running) break;
      if (this.#kicked) continue;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, retry).unref();
      });
      this.#wake = undefined;
      retry = Math.min(RETRY_MAX_MS, retry * 2);
    }
  }

  #dispatch(subject: string, seq: number, payload: Uint8Array): void {
    const position = this.#positionOf(seq);
    if (!subject.startsWith(this.#historyBase)) return;
    const live = this.#liveBase + subject.slice(this.#historyBase.length);
    const handlers = this.#routes.get(live);
    if (handlers === undefined) return;
    for (const handler of [...handlers]) handler(payload, position);
  }
}

function noop(): void {}
