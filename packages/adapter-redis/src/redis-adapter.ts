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
import type { BusListener, RedisBus } from "./redis-bus.js";
import { RedisHistory } from "./redis-history.js";

/** A namespace's adapter over Redis (created by `createAdapter`). */
export class RedisAdapter extends ClusterAdapter {
  readonly #bus: RedisBus;
  readonly #key: string;
  /** Recovery on: channels carry the namespace's hash tag, the history lives in its slot. */
  readonly #history: RedisHistory | undefined;
  readonly #handler = (payload: Uint8Array, position?: DeliveredPosition): void =>
    this.onPayload(payload, position);
  readonly #listener: BusListener = {
    reconnected: () => this.announce(),
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
    return this.#bus.publish(this.channel(target), payload);
  }

  protected doSubscribe(target: ClusterTarget): Promise<void> {
    return this.#bus.subscribe(this.channel(target), this.#handler);
  }

  protected doUnsubscribe(target: ClusterTarget): Promise<void> {
    return this.#bus.unsubscribe(this.channel(target), this.#handler);
  }

  private channel(target: ClusterTarget): string {
    return channelFor(this.#key, this.nsp.name, target, this.#history !== undefined);
  }
}
