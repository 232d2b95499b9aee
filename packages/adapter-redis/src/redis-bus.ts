// The Redis side of the binding: one pair of ioredis clients shared by every namespace adapter
// of a server. Reference-counted channel subscriptions, message dispatch by channel, and
// reconnect detection (ioredis restores subscriptions; adapters then re-announce themselves).
import { type DeliveredPosition, TopicHandlers } from "@switchyard/server";
import type { Cluster, Redis } from "ioredis";
import { RedisAdapterError, RedisAdapterErrorCode } from "./errors.js";
import { ORDERED_MARKER } from "./history-scripts.js";
import { OrderedRetry, type RetryOptions } from "./ordered-retry.js";

/** An ioredis client: standalone or cluster. */
export type RedisClient = Redis | Cluster;

/** Receives a channel's payloads; ordered ones (recovery history) come with their position. */
export type Handler = (payload: Uint8Array, position?: DeliveredPosition) => void;

/** What the bus tells each adapter besides messages. */
export interface BusListener {
  /** The subscriber reconnected: announce again (peers may have dropped this node). */
  reconnected(): void;
  /** A client reported an error. */
  clientError(error: RedisAdapterError): void;
}

/** Publish/subscribe over a pair of ioredis clients (classic or sharded pub/sub). */
export class RedisBus {
  readonly #pub: RedisClient;
  readonly #sub: RedisClient;
  readonly #sharded: boolean;
  readonly #handlers: TopicHandlers<Handler> = new TopicHandlers();
  readonly #listeners: Set<BusListener> = new Set();
  #lost = false;
  /** Publishes, history appends and session writes, held in order through a failover. */
  readonly retry: OrderedRetry;
  /** Client errors seen, and those reported (one per outage: the others are only counted). */
  readonly errors = { seen: 0, reported: 0 };
  #failing = false;
  /** Ordered messages whose header could not be read (dropped). */
  malformedOrdered = 0;

  constructor(pub: RedisClient, sub: RedisClient, sharded: boolean, retry: RetryOptions = {}) {
    this.#pub = pub;
    this.#sub = sub;
    this.#sharded = sharded;
    this.retry = new OrderedRetry(retry);
    sub.on(sharded ? "smessageBuffer" : "messageBuffer", (channel: Buffer, message: Buffer) =>
      this.#dispatch(channel, message),
    );
    sub.on("close", () => {
      this.#lost = true;
    });
    for (const client of new Set([pub, sub])) client.on("ready", () => this.#recovered());
    sub.on("ready", () => {
      if (!this.#lost) return;
      this.#lost = false;
      for (const listener of this.#listeners) listener.reconnected();
    });
    // Our own 'error' listeners: ioredis then never reports "Unhandled error event", and the
    // adapters forward the error to whoever listens on them.
    for (const client of new Set([pub, sub])) {
      client.on("error", (cause: unknown) => this.#clientError(cause));
    }
  }

  /** The publishing client (the history scripts run on it). */
  get client(): RedisClient {
    return this.#pub;
  }

  /** Whether pub/sub is sharded (SPUBLISH). */
  get sharded(): boolean {
    return this.#sharded;
  }

  /** Whether both clients are ready (read by the server's `/readyz`). */
  get connected(): boolean {
    return this.#pub.status === "ready" && this.#sub.status === "ready";
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
    await this.retry.run(() =>
      this.#sharded ? this.#pub.spublish(channel, buffer) : this.#pub.publish(channel, buffer),
    );
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
    if (this.#sharded) await this.#sub.ssubscribe(channel);
    else await this.#sub.subscribe(channel);
  }

  /** Removes a handler; the last one for a channel unsubscribes from it. */
  async unsubscribe(channel: string, handler: Handler): Promise<void> {
    if (!this.#handlers.delete(channel, handler)) return;
    if (this.#sharded) await this.#sub.sunsubscribe(channel);
    else await this.#sub.unsubscribe(channel);
  }

  #dispatch(channel: Buffer, message: Buffer): void {
    const handlers = this.#handlers.get(channel.toString());
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
