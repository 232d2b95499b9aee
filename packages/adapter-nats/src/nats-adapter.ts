// NatsAdapter: the server's ClusterAdapter bound to core NATS. Only the bus binding lives here
// (subjects, publish, subscribe, reconnect); all cluster semantics are in the base class.
import type { Subscription } from "@nats-io/nats-core";
import {
  type AdapterNamespace,
  ClusterAdapter,
  type ClusterAdapterOptions,
  type ClusterTarget,
} from "@switchyard/server";
import type { BusListener, NatsBus, NatsConnectionState } from "./nats-bus.js";
import { DEFAULT_PREFIX, type NatsAdapterOptions } from "./options.js";
import { checkPrefix, subjectFor } from "./subjects.js";

/** A namespace's adapter over NATS (created by `createAdapter`). */
export class NatsAdapter extends ClusterAdapter {
  readonly #bus: NatsBus;
  readonly #prefix: string;
  /** Live subscriptions by subject; a pending subscribe holds its promise. */
  readonly #subscriptions: Map<string, Promise<Subscription | undefined>> = new Map();
  readonly #handler = (payload: Uint8Array): void => this.onPayload(payload);
  readonly #listener: BusListener = {
    reconnected: () => this.announce(),
    busError: (error) => this.reportError(error),
  };

  constructor(nsp: AdapterNamespace, bus: NatsBus, options: NatsAdapterOptions = {}) {
    super(nsp, withinMaxPayload(options, bus.maxPayload));
    this.#bus = bus;
    this.#prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
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
    await this.#bus.detach(this.#listener);
  }

  protected doPublish(target: ClusterTarget, payload: Uint8Array): Promise<void> {
    return this.#bus.publish(this.subject(target), payload);
  }

  protected async doSubscribe(target: ClusterTarget): Promise<void> {
    const subject = this.subject(target);
    if (this.#subscriptions.has(subject)) return;
    const subscribing = this.#bus.subscribe(subject, this.#handler, (error) =>
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
    const subject = this.subject(target);
    const subscribing = this.#subscriptions.get(subject);
    if (subscribing === undefined) return;
    this.#subscriptions.delete(subject);
    const subscription = await subscribing;
    if (subscription !== undefined) this.#bus.unsubscribe(subscription);
  }

  private subject(target: ClusterTarget): string {
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
