// NatsAdapter: the server's ClusterAdapter bound to core NATS. Only the bus binding lives here
// (subjects, publish, subscribe, reconnect); all cluster semantics are in the base class.
import type { MsgHdrs, Subscription } from "@nats-io/nats-core";
import {
  type AdapterNamespace,
  ClusterAdapter,
  type ClusterAdapterOptions,
  type ClusterHistory,
  type ClusterTarget,
  type DeliveredPosition,
  type ItemPosition,
  type Room,
} from "@switchyard/server";
import { NatsAdapterError, NatsAdapterErrorCode } from "./errors.js";
import type { HistoryDelivery } from "./history-config.js";
import type { HistoryStream, HistoryStreamCounters } from "./history-stream.js";
import type { BusListener, NatsBus, NatsConnectionState } from "./nats-bus.js";
import { NatsHistory } from "./nats-history.js";
import { DEFAULT_PREFIX, type NatsAdapterOptions } from "./options.js";
import { PublishSequencer } from "./publish-sequencer.js";
import { checkPrefix, subjectFor } from "./subjects.js";

/** How long an ordinary publish waits behind the appends published before it, at most. */
const ORDER_WAIT_MS = 2000;

/** A namespace's adapter over NATS (created by `createAdapter`). */
export class NatsAdapter extends ClusterAdapter {
  readonly #bus: NatsBus;
  readonly #prefix: string;
  /** Live subscriptions by subject; a pending subscribe holds its promise. */
  readonly #subscriptions: Map<string, Promise<Subscription | undefined>> = new Map();
  /** Recovery on: the namespace's history in JetStream, and the order of the two paths. */
  readonly #history: NatsHistory | undefined;
  readonly #sequencer: PublishSequencer | undefined;
  /** Rooms routed by the consumer delivery: the last sequence dispatched before (see above). */
  readonly #routedAfter: Map<Room, number> = new Map();
  /** The handler of one subscription: a republished message says which log it came from. */
  readonly #handlerFor =
    (target: ClusterTarget) =>
    (payload: Uint8Array, headers: MsgHdrs | undefined): void => {
      const history = this.#history;
      if (history === undefined) {
        this.onPayload(payload);
        return;
      }
      // A republished history message carries its stream sequence: its position.
      const position = history.stream.ordered(headers);
      if (position !== "malformed") this.onPayload(payload, position, target);
    };
  /** Ordered messages read by the history's consumer (servers before 2.10). */
  readonly #orderedHandler = (payload: Uint8Array, position: DeliveredPosition): void =>
    this.onPayload(payload, position);
  readonly #listener: BusListener = {
    reconnected: () => {
      // Announces this node, reads the epoch again and writes the live session records again.
      this.reconnected();
      // The stream may be another one now (a memory-storage server restarted).
      this.#history?.stream.check();
    },
    busError: (error) => this.reportError(error),
  };

  /** `stream` is the history of the adapter's prefix, when the Server has recovery on. */
  constructor(
    nsp: AdapterNamespace,
    bus: NatsBus,
    options: NatsAdapterOptions = {},
    stream?: HistoryStream,
  ) {
    super(nsp, withinMaxPayload(options, bus.maxPayload));
    this.#bus = bus;
    this.#prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
    const recovery = nsp.recovery;
    if (recovery !== undefined && stream !== undefined) {
      const maxDisconnection = recovery.maxDisconnectionDuration;
      this.#history = new NatsHistory(stream, this.#prefix, nsp.name, maxDisconnection);
      this.#sequencer = new PublishSequencer(ORDER_WAIT_MS);
    }
  }

  /**
   * With consumer delivery, a room's subscription is local: it gets every ordered message the
   * consumer dispatches after the last one dispatched before it (no fence round trip needed).
   */
  protected override subscribedAfter(room: Room): ItemPosition | undefined {
    const after = this.#routedAfter.get(room);
    this.#routedAfter.delete(room);
    // The whole batch at that sequence was dispatched before: the floor is after its last item.
    return after === undefined
      ? undefined
      : { major: after, minor: 0, index: Number.MAX_SAFE_INTEGER };
  }

  /** How this node receives the history's messages (undefined without recovery). */
  get historyDelivery(): HistoryDelivery | undefined {
    return this.#history?.stream.delivery;
  }

  /** Counters of the history stream (malformed republished messages, epoch changes). */
  get historyCounters(): HistoryStreamCounters | undefined {
    return this.#history?.stream.counters;
  }

  protected override history(): ClusterHistory | undefined {
    return this.#history;
  }

  /**
   * Opens the history; when JetStream cannot hold it, reports why and goes on without recovery
   * (every other cluster feature keeps working over core NATS).
   */
  protected override async openRecovery(): Promise<void> {
    try {
      await super.openRecovery();
    } catch (cause) {
      const message =
        "connectionStateRecovery is on but the JetStream history could not be opened: this node runs without recovery";
      const code = NatsAdapterErrorCode.HISTORY_UNAVAILABLE;
      this.reportError(new NatsAdapterError(code, message, { cause }));
    }
  }

  protected override doAppend(target: ClusterTarget, payload: Uint8Array): Promise<void> {
    const history = this.#history;
    const sequencer = this.#sequencer;
    if (history === undefined || sequencer === undefined) return super.doAppend(target, payload);
    return sequencer.append(() => history.append(target, payload));
  }

  /** The state of the NATS connection (for health checks). */
  get connectionState(): NatsConnectionState {
    return this.#bus.state;
  }

  /** Whether the NATS server this node is connected to is in lame-duck mode. */
  get lameDuck(): boolean {
    return this.#bus.lameDuck;
  }

  override async init(): Promise<void> {
    this.#bus.attach(this.#listener);
    await super.init();
  }

  /** Says ADAPTER_CLOSE, unsubscribes, and (last adapter, `drainOnClose`) drains the connection. */
  override async close(): Promise<void> {
    await super.close();
    this.#history?.close();
    await this.#bus.detach(this.#listener);
  }

  protected doPublish(target: ClusterTarget, payload: Uint8Array): Promise<void> {
    const subject = this.#subject(target);
    if (this.#sequencer === undefined) return this.#bus.publish(subject, payload);
    return this.#sequencer.publish(() => this.#bus.publish(subject, payload));
  }

  protected async doSubscribe(target: ClusterTarget): Promise<void> {
    const subject = this.#subject(target);
    if (this.#subscriptions.has(subject)) return;
    const stream = this.#history?.stream;
    if (stream?.delivery === "consumer") {
      // Everything dispatched from now on reaches this subject's handler: a room's floor.
      if (target.kind === "room") this.#routedAfter.set(target.room, stream.lastDelivered);
      stream.route(subject, this.#orderedHandler);
    }
    const subscribing = this.#bus.subscribe(subject, this.#handlerFor(target), (error) =>
      this.reportError(error),
    );
    const entry = subscribing.catch(() => {
      // Failed (connection closed): forget it, so that a later subscribe tries again.
      if (this.#subscriptions.get(subject) === entry) this.#subscriptions.delete(subject);
      return undefined;
    });
    this.#subscriptions.set(subject, entry);
    await subscribing;
  }

  protected async doUnsubscribe(target: ClusterTarget): Promise<void> {
    const subject = this.#subject(target);
    this.#history?.stream.unroute(subject, this.#orderedHandler);
    const subscribing = this.#subscriptions.get(subject);
    if (subscribing === undefined) return;
    this.#subscriptions.delete(subject);
    const subscription = await subscribing;
    if (subscription !== undefined) this.#bus.unsubscribe(subscription);
  }

  #subject(target: ClusterTarget): string {
    return subjectFor(this.#prefix, this.nsp.name, target);
  }
}

/** Default of `maxBatchBytes` (the server's). */
const DEFAULT_MAX_BATCH_BYTES = 256 * 1024;

/** Lowers `maxBatchBytes` to the server's `max_payload`: NATS refuses larger messages. */
function withinMaxPayload(
  options: ClusterAdapterOptions,
  maxPayload: number | undefined,
): ClusterAdapterOptions {
  if (maxPayload === undefined || maxPayload <= 0) return options;
  const wanted = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
  return wanted <= maxPayload ? options : { ...options, maxBatchBytes: maxPayload };
}
