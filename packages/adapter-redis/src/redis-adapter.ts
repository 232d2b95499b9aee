// RedisAdapter: the server's ClusterAdapter bound to Redis pub/sub. Only the bus binding lives
// here (channel names, publish, subscribe, reconnect); all cluster semantics are in the base.
import {
  type AdapterNamespace,
  ClusterAdapter,
  type ClusterHistory,
  type ClusterTarget,
  type DeliveredPosition,
} from "@switchyard/server";
import { channelFor } from "./channels.js";
import { DEFAULT_KEY, type RedisAdapterOptions } from "./options.js";
import type { RetryCounters } from "./ordered-retry.js";
import type { BusListener, Handler, RedisBus } from "./redis-bus.js";
import { RedisHistory } from "./redis-history.js";

/** A namespace's adapter over Redis (created by `createAdapter`). */
export class RedisAdapter extends ClusterAdapter {
  readonly #bus: RedisBus;
  readonly #key: string;
  /** Recovery on: channels carry the namespace's hash tag, the history lives in its slot. */
  readonly #history: RedisHistory | undefined;
  /** One handler per subscription: ordered messages say which log they came from. */
  readonly #handlers: Map<string, Handler> = new Map();
  readonly #listener: BusListener = {
    reconnected: () => this.reconnected(),
    clientError: (error) => this.reportError(error),
  };

  constructor(nsp: AdapterNamespace, bus: RedisBus, options: RedisAdapterOptions = {}) {
    super(nsp, options);
    this.#bus = bus;
    this.#key = options.key ?? DEFAULT_KEY;
    const recovery = nsp.recovery;
    this.#history =
      recovery === undefined
        ? undefined
        : new RedisHistory(
            bus.client,
            bus.retry,
            bus.sharded,
            this.#key,
            nsp.name,
            recovery.maxDisconnectionDuration,
            options.history,
          );
  }

  protected override history(): ClusterHistory | undefined {
    return this.#history;
  }

  protected override doAppend(target: ClusterTarget, payload: Uint8Array): Promise<void> {
    if (this.#history === undefined) return super.doAppend(target, payload);
    return this.#history.append(target, payload);
  }

  /** How this node's commands rode out outages: held, retried, failed (see ordered-retry.ts). */
  get retryCounters(): RetryCounters {
    return this.#bus.retry.counters;
  }

  /** Redis client errors seen, and reported as `error` (one per outage, see redis-bus.ts). */
  get clientErrors(): { seen: number; reported: number } {
    return this.#bus.errors;
  }

  /** Whether the Redis clients are connected (the server's `/readyz` reads it). */
  get busConnected(): boolean {
    return this.#bus.connected;
  }

  override async init(): Promise<void> {
    this.#bus.attach(this.#listener);
    await super.init();
  }

  override async close(): Promise<void> {
    await super.close();
    this.#bus.detach(this.#listener);
  }

  protected doPublish(target: ClusterTarget, payload: Uint8Array): Promise<void> {
    return this.#bus.publish(this.#channel(target), payload);
  }

  protected doSubscribe(target: ClusterTarget): Promise<void> {
    const channel = this.#channel(target);
    let handler = this.#handlers.get(channel);
    if (handler === undefined) {
      handler = (payload: Uint8Array, position?: DeliveredPosition): void =>
        this.onPayload(payload, position, target);
      this.#handlers.set(channel, handler);
    }
    return this.#bus.subscribe(channel, handler);
  }

  protected doUnsubscribe(target: ClusterTarget): Promise<void> {
    const channel = this.#channel(target);
    const handler = this.#handlers.get(channel);
    if (handler === undefined) return Promise.resolve();
    this.#handlers.delete(channel);
    return this.#bus.unsubscribe(channel, handler);
  }

  #channel(target: ClusterTarget): string {
    return channelFor(this.#key, this.nsp.name, target, this.#history !== undefined);
  }
}
