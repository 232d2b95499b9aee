// RedisAdapter: the server's ClusterAdapter bound to Redis pub/sub. Only the bus binding lives
// here (channel names, publish, subscribe, reconnect); all cluster semantics are in the base.
import { type AdapterNamespace, ClusterAdapter, type ClusterTarget } from "@switchyard/server";
import { channelFor } from "./channels.js";
import { DEFAULT_KEY, type RedisAdapterOptions } from "./options.js";
import type { BusListener, RedisBus } from "./redis-bus.js";

/** A namespace's adapter over Redis (created by `createAdapter`). */
export class RedisAdapter extends ClusterAdapter {
  readonly #bus: RedisBus;
  readonly #key: string;
  readonly #handler = (payload: Uint8Array): void => this.onPayload(payload);
  readonly #listener: BusListener = {
    reconnected: () => this.announce(),
    clientError: (error) => this.reportError(error),
  };

  constructor(nsp: AdapterNamespace, bus: RedisBus, options: RedisAdapterOptions = {}) {
    super(nsp, options);
    this.#bus = bus;
    this.#key = options.key ?? DEFAULT_KEY;
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
    return channelFor(this.#key, this.nsp.name, target);
  }
}
