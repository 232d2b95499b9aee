// RedisAdapter: the server's ClusterAdapter bound to Redis pub/sub. Only the bus binding lives
// here (channel names, publish, subscribe, reconnect); all cluster semantics are in the base.
import {
  type AdapterNamespace,
  ClusterAdapter,
  type ClusterHistory,
  type ClusterTarget,
  type DeliveredPosition,
  type DropReason,
} from "@switchyard/server";
import { channelFor } from "./channels.js";
import type { OfficialDropReason, OfficialMessage } from "./official/official-message.js";
import { type OfficialCounters, OfficialReceiver } from "./official/official-receiver.js";
import { toClusterMessage } from "./official/official-translate.js";
import { DEFAULT_KEY, type RedisAdapterOptions } from "./options.js";
import type { RetryCounters } from "./ordered-retry.js";
import type { BusListener, Handler, PatternHandler, RedisBus } from "./redis-bus.js";
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
  /** Receipt of the official emitters' format (option `officialEmitters`, on by default). */
  readonly #official: OfficialReceiver | undefined;
  readonly #onOfficialBroadcast: PatternHandler = (channel, bytes) =>
    this.#official?.onBroadcast(channel, bytes);
  readonly #onOfficialRequest: PatternHandler = (_channel, bytes) =>
    this.#official?.onRequest(bytes);

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
    const official = options.officialEmitters ?? true;
    this.#official =
      official === false
        ? undefined
        : new OfficialReceiver(this.#key, nsp.name, official === true ? {} : official, {
            hasRoom: (room) => this.rooms.has(room),
            apply: (message) => this.#applyOfficial(message),
            dropped: (reason) => {
              this.counters.dropped++;
              this.counters.droppedByReason[BUS_REASON[reason]]++;
            },
          });
  }

  /**
   * Messages received in the official emitters' format (@socket.io/redis-emitter and its ports),
   * undefined with `officialEmitters: false`. They are also counted in `counters` (received,
   * dropped), so the server's bus metrics include them.
   */
  get officialEmitters(): OfficialCounters | undefined {
    return this.#official?.counters;
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
    const official = this.#official;
    if (official !== undefined) {
      await Promise.all([
        this.#bus.subscribeClassic(official.pattern, this.#onOfficialBroadcast, true),
        this.#bus.subscribeClassic(official.requestChannel, this.#onOfficialRequest, false),
      ]);
    }
    await super.init();
  }

  override async close(): Promise<void> {
    await super.close();
    const official = this.#official;
    if (official !== undefined) {
      await Promise.allSettled([
        this.#bus.unsubscribeClassic(official.pattern, this.#onOfficialBroadcast, true),
        this.#bus.unsubscribeClassic(official.requestChannel, this.#onOfficialRequest, false),
      ]);
    }
    this.#bus.detach(this.#listener);
  }

  /** A valid official-format message: handled as our own emitter's would be. */
  #applyOfficial(message: OfficialMessage): void {
    if (this.closed) return;
    const translated = toClusterMessage(message, this.nsp.name);
    this.counters.received++;
    const byType = this.counters.receivedByType;
    byType[translated.type] = (byType[translated.type] ?? 0) + 1;
    try {
      this.onMessage(translated);
    } catch (err) {
      // A user listener threw while handling it: rethrow outside the bus handler.
      process.nextTick(() => {
        throw err;
      });
    }
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

/** The bus counters' reason for each official-format drop (the details are in officialEmitters). */
const BUS_REASON: Record<OfficialDropReason, DropReason> = {
  "too-large": "bad-data",
  undecodable: "undecodable",
  "bad-shape": "bad-data",
  "too-deep": "bad-data",
  "reserved-event": "bad-data",
  "unsupported-type": "unknown-type",
};
