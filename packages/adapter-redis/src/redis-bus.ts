// The Redis side of the binding: one pair of clients (ioredis or node-redis, see clients/)
// shared by every namespace adapter of a server. Reference-counted channel and pattern
// subscriptions, message dispatch, and reconnect detection (the clients restore subscriptions;
// adapters then re-announce themselves).
import { type DeliveredPosition, TopicHandlers } from "@switchyard/server";
import type { BusClient } from "./clients/bus-client.js";
import { forgetScripts } from "./clients/scripts.js";
import { RedisAdapterError, RedisAdapterErrorCode } from "./errors.js";
import { ORDERED_MARKER } from "./history-scripts.js";
import { OrderedRetry, type RetryOptions } from "./ordered-retry.js";

/** Receives a channel's payloads; ordered ones (recovery history) come with their position. */
export type Handler = (payload: Uint8Array, position?: DeliveredPosition) => void;

/** What the bus tells each adapter besides messages. */
export interface BusListener {
  /** The subscriber reconnected: announce again (peers may have dropped this node). */
  reconnected(): void;
  /** A client reported an error. */
  clientError(error: RedisAdapterError): void;
}

/** Receives the messages of a subscribed pattern, with the channel they were published on. */
export type PatternHandler = (channel: string, payload: Uint8Array) => void;

/** Publish/subscribe over a pair of clients (classic or sharded pub/sub). */
export class RedisBus {
  readonly #pub: BusClient;
  readonly #sub: BusClient;
  readonly #sharded: boolean;
  readonly #handlers: TopicHandlers<Handler> = new TopicHandlers();
  readonly #patterns: TopicHandlers<PatternHandler> = new TopicHandlers();
  readonly #listeners: Set<BusListener> = new Set();
  #lost = false;
  /** Publishes, history appends and session writes, held in order through a failover. */
  readonly retry: OrderedRetry;
  /** Client errors seen, and those reported (one per outage: the others are only counted). */
  readonly errors = { seen: 0, reported: 0 };
  #failing = false;
  /** Ordered messages whose header could not be read (dropped). */
  malformedOrdered = 0;

  constructor(pub: BusClient, sub: BusClient, sharded: boolean, retry: RetryOptions = {}) {
    this.#pub = pub;
    this.#sub = sub;
    this.#sharded = sharded;
    this.retry = new OrderedRetry(retry);
    // Our own 'error' listeners: the clients then never report an unhandled error event, and
    // the adapters forward the error to whoever listens on them.
    pub.listen({
      message: () => undefined,
      // The history's scripts run on this client: a server it reconnected to may not have them
      // (a restart without persistence), and finding out by NOSCRIPT can reorder appends.
      ready: () => {
        forgetScripts(pub);
        this.#recovered();
      },
      lost: () => forgetScripts(pub),
      error: (cause) => this.#clientError(cause),
    });
    sub.listen({
      message: (channel, message, pattern) => this.#dispatch(channel, message, pattern),
      ready: () => {
        this.#recovered();
        if (!this.#lost) return;
        this.#lost = false;
        for (const listener of this.#listeners) listener.reconnected();
      },
      lost: () => {
        this.#lost = true;
      },
      error: (cause) => this.#clientError(cause),
    });
  }

  /** The publishing client (the history scripts run on it). */
  get client(): BusClient {
    return this.#pub;
  }

  /** Whether pub/sub is sharded (SPUBLISH). */
  get sharded(): boolean {
    return this.#sharded;
  }

  /** Whether both clients are ready (read by the server's `/readyz`). */
  get connected(): boolean {
    return this.#pub.ready && this.#sub.ready;
  }

  /** Registers an adapter for reconnect and error notices. */
  attach(listener: BusListener): void {
    this.#listeners.add(listener);
  }

  /** Forgets an adapter. */
  detach(listener: BusListener): void {
    this.#listeners.delete(listener);
  }

  /**
   * Publishes a payload, held in order through an outage (see ordered-retry.ts); rejects when
   * Redis refused it for longer than the bound (the adapter counts and reports it).
   */
  async publish(channel: string, payload: Uint8Array): Promise<void> {
    const buffer = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    await this.retry.run(() => this.#pub.publish(channel, buffer, this.#sharded));
  }

  /**
   * Errors of one outage are reported once: the first is passed on, the next ones only counted,
   * until a client is ready again. A failover makes every client retry and fail many times.
   */
  #clientError(cause: unknown): void {
    this.errors.seen++;
    if (this.#failing) return;
    this.#failing = true;
    this.errors.reported++;
    const error = new RedisAdapterError(
      RedisAdapterErrorCode.CLIENT_ERROR,
      "the Redis client reported an error (further errors until it is ready again are only counted)",
      { cause },
    );
    for (const listener of this.#listeners) listener.clientError(error);
  }

  #recovered(): void {
    this.#failing = false;
  }

  /** Adds a handler; the first one for a channel subscribes to it. */
  async subscribe(channel: string, handler: Handler): Promise<void> {
    if (!this.#handlers.add(channel, handler)) return;
    await this.#sub.subscribe(channel, this.#sharded);
  }

  /** Removes a handler; the last one for a channel unsubscribes from it. */
  async unsubscribe(channel: string, handler: Handler): Promise<void> {
    if (!this.#handlers.delete(channel, handler)) return;
    await this.#sub.unsubscribe(channel, this.#sharded);
  }

  /**
   * Adds a handler of a classic (never sharded) channel or pattern (`pattern: true`, PSUBSCRIBE):
   * how the official emitters' channels are followed in either mode.
   */
  async subscribeClassic(name: string, handler: PatternHandler, pattern: boolean): Promise<void> {
    if (!this.#patterns.add(classicId(name, pattern), handler)) return;
    if (pattern) await this.#sub.psubscribe(name);
    else await this.#sub.subscribe(name, false);
  }

  /** Removes a handler added by {@link subscribeClassic}. */
  async unsubscribeClassic(name: string, handler: PatternHandler, pattern: boolean): Promise<void> {
    if (!this.#patterns.delete(classicId(name, pattern), handler)) return;
    if (pattern) await this.#sub.punsubscribe(name);
    else await this.#sub.unsubscribe(name, false);
  }

  #dispatch(channel: string, message: Buffer, pattern: string | undefined): void {
    const classic = this.#patterns.get(classicId(pattern ?? channel, pattern !== undefined));
    if (classic !== undefined) {
      const bytes = new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
      for (const handler of classic) handler(channel, bytes);
    }
    if (pattern !== undefined) return;
    const handlers = this.#handlers.get(channel);
    if (handlers === undefined) return;
    let payload = new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
    let position: DeliveredPosition | undefined;
    if (payload[0] === ORDERED_MARKER) {
      // Written by the append script. A malformed one goes on as is: the adapter counts it.
      const ordered = readOrdered(payload);
      if (ordered === undefined) this.malformedOrdered++;
      else ({ payload, position } = ordered);
    }
    for (const handler of handlers) handler(payload, position);
  }
}

function classicId(name: string, pattern: boolean): string {
  return pattern ? `p:${name}` : `c:${name}`;
}

const SPACE = 0x20;
const STREAM_ID = /^(\d{1,16})-(\d{1,16})$/;

/**
 * Reads an ordered message written by the append script: the marker, `<epoch> <ms>-<n> <prev> `
 * (`prev`: the log's previous entry, `0-0` for none), then the payload. Undefined when malformed.
 */
export function readOrdered(
  bytes: Uint8Array,
): { payload: Uint8Array; position: DeliveredPosition } | undefined {
  const first = bytes.indexOf(SPACE, 1);
  const second = first < 0 ? -1 : bytes.indexOf(SPACE, first + 1);
  const third = second < 0 ? -1 : bytes.indexOf(SPACE, second + 1);
  if (first < 2 || third < 0 || first > 64 || third - first > 80) return undefined;
  const epoch = Buffer.from(bytes.subarray(1, first)).toString("latin1");
  const id = readId(bytes.subarray(first + 1, second));
  const prev = readId(bytes.subarray(second + 1, third));
  if (id === undefined || prev === undefined) return undefined;
  return { payload: bytes.subarray(third + 1), position: { epoch, ...id, prev } };
}

function readId(bytes: Uint8Array): { major: number; minor: number } | undefined {
  const id = STREAM_ID.exec(Buffer.from(bytes).toString("latin1"));
  if (id === null) return undefined;
  const major = Number(id[1]);
  const minor = Number(id[2]);
  if (!Number.isSafeInteger(major) || !Number.isSafeInteger(minor)) return undefined;
  return { major, minor };
}
