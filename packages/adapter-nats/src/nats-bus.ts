// The NATS side of the binding: one connection shared by every namespace adapter of a server.
// Publishes (refused while disconnected), subscriptions (confirmed by a bounded flush), and the
// connection lifecycle read from `nc.status()`: disconnect, reconnect (adapters re-announce),
// lame-duck mode, errors and close, then `drain()` when the last adapter closes.
import type { Msg, MsgHdrs, NatsConnection, Status, Subscription } from "@nats-io/nats-core";
import { NatsAdapterError, NatsAdapterErrorCode } from "./errors.js";

/** The state of the bus's connection, as last reported by `nc.status()`. */
export type NatsConnectionState = "connected" | "disconnected" | "closed";

/** What the bus tells each adapter besides messages. */
export interface BusListener {
  /** The connection came back: announce again (peers may have dropped this node). */
  reconnected(): void;
  /** The connection reported an error, or closed for good. */
  busError(error: NatsAdapterError): void;
}

/** Receives a subject's messages; republished history messages come with their headers. */
export type Handler = (payload: Uint8Array, headers: MsgHdrs | undefined) => void;

/** How long a subscribe waits for the server to confirm it (a flush) before going on. */
const SUBSCRIBE_CONFIRM_MS = 2000;
/** How long `io.close()` lets the connection drain before closing it. */
const DRAIN_BOUND_MS = 2000;

/** Publish/subscribe over one NATS connection, with its lifecycle. */
export class NatsBus {
  readonly #nc: NatsConnection;
  readonly #drainOnClose: boolean;
  readonly #listeners: Set<BusListener> = new Set();
  #state: NatsConnectionState;
  #lameDuck = false;
  #watching = false;
  #draining = false;
  /** The flush that will confirm the subscriptions made in this tick (one PING for all). */
  #confirming: Promise<void> | undefined;

  constructor(nc: NatsConnection, drainOnClose: boolean) {
    this.#nc = nc;
    this.#drainOnClose = drainOnClose;
    this.#state = nc.isClosed() ? "closed" : "connected";
  }

  /** The connection state last reported by the client. */
  get state(): NatsConnectionState {
    return this.#state;
  }

  /** The server's `max_payload` in bytes (undefined before the first connection). */
  get maxPayload(): number | undefined {
    return this.#nc.info?.max_payload;
  }

  /** Whether the current server announced lame-duck mode (it is about to shut down). */
  get lameDuck(): boolean {
    return this.#lameDuck;
  }

  /** Registers an adapter; the first one starts watching the connection status. */
  attach(listener: BusListener): void {
    this.#listeners.add(listener);
    if (!this.#watching) {
      this.#watching = true;
      void this.#watch();
    }
  }

  /** Forgets an adapter; when none is left (and `drainOnClose`), drains the connection. */
  async detach(listener: BusListener): Promise<void> {
    if (!this.#listeners.delete(listener)) return;
    if (this.#listeners.size > 0 || !this.#drainOnClose || this.#draining) return;
    if (this.#nc.isClosed() || this.#nc.isDraining()) return;
    this.#draining = true;
    // While disconnected a drain waits for the next dial; shutdown must not: close after a bound.
    await bounded(this.#drainOrFail(), DRAIN_BOUND_MS);
    if (!this.#nc.isClosed()) await this.#nc.close().catch(noop);
  }

  #drainOrFail(): Promise<void> {
    try {
      return this.#nc.drain();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Publishes a payload. Rejects while disconnected: the client would buffer it and then
   * discard the buffer on its next dial, so refusing makes the loss visible (and bounded).
   */
  publish(subject: string, payload: Uint8Array): Promise<void> {
    if (this.#state !== "connected") {
      const message = `not published: the NATS connection is ${this.#state}`;
      return Promise.reject(new NatsAdapterError(NatsAdapterErrorCode.DISCONNECTED, message));
    }
    try {
      this.#nc.publish(subject, payload);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Subscribes `handler` to `subject` and resolves once the server confirmed it (bounded: while
   * disconnected the client re-sends the subscription after the reconnect).
   */
  async subscribe(
    subject: string,
    handler: Handler,
    onError: (error: NatsAdapterError) => void,
  ): Promise<Subscription> {
    const subscription = this.#nc.subscribe(subject, {
      callback: (err: Error | null, msg: Msg) => {
        if (err !== null) {
          const message = `subscription to ${subject} failed`;
          onError(connectionError(message, err));
          return;
        }
        handler(msg.data, msg.headers);
      },
    });
    if (this.#state === "connected") await this.#confirm();
    return subscription;
  }

  /**
   * Resolves when the server has processed what was written so far (bounded). Subscriptions made
   * in the same tick share one flush: its PING is written after all their SUBs.
   */
  #confirm(): Promise<void> {
    if (this.#confirming === undefined) {
      this.#confirming = new Promise<void>((resolve) => {
        queueMicrotask(() => {
          this.#confirming = undefined;
          resolve(bounded(this.#flushOrFail(), SUBSCRIBE_CONFIRM_MS));
        });
      });
    }
    return this.#confirming;
  }

  #flushOrFail(): Promise<void> {
    try {
      return this.#nc.flush();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Stops a subscription (messages already received are still handled). */
  unsubscribe(subscription: Subscription): void {
    if (!subscription.isClosed() && !this.#nc.isClosed()) subscription.unsubscribe();
  }

  /** Applies one status event from the client (public for unit tests with a scripted status). */
  onStatus(status: Status): void {
    switch (status.type) {
      case "disconnect":
        this.#state = "disconnected";
        break;
      case "reconnect":
        this.#state = "connected";
        this.#lameDuck = false;
        for (const listener of this.#listeners) listener.reconnected();
        break;
      case "ldm":
        this.#onLameDuck();
        break;
      case "error":
        this.#report(connectionError("the NATS connection reported an error", status.error));
        break;
      case "slowConsumer": {
        const message = `slow consumer on ${status.sub.getSubject()}: ${status.pending} pending`;
        this.#report(connectionError(message, undefined));
        break;
      }
      case "close":
        this.#onClosed();
        break;
      default:
        // ping, reconnecting, update, staleConnection, forceReconnect: nothing to do.
        break;
    }
  }

  async #watch(): Promise<void> {
    try {
      for await (const status of this.#nc.status()) this.onStatus(status);
    } catch (cause) {
      this.#report(connectionError("the NATS status stream failed", cause));
    }
    // The iterator ends when the connection closes (a "close" status is not always delivered).
    if (this.#nc.isClosed()) this.#onClosed();
  }

  /**
   * The server is about to shut down. With other servers in the cluster, move now (a reconnect
   * picks another one) instead of waiting to be cut off; alone, keep going until it closes us.
   */
  #onLameDuck(): void {
    this.#lameDuck = true;
    // The lame-duck INFO advertises the servers still accepting clients (itself excluded).
    const current = this.#nc.getServer();
    const others = (this.#nc.info?.connect_urls ?? []).filter((url) => url !== current);
    if (others.length > 0) {
      this.#nc.reconnect().catch((cause: unknown) => {
        this.#report(connectionError("reconnect on lame-duck mode failed", cause));
      });
    }
  }

  #onClosed(): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    if (this.#draining) return;
    const message = "the NATS connection closed: this node no longer reaches the others";
    this.#report(new NatsAdapterError(NatsAdapterErrorCode.CONNECTION_CLOSED, message));
  }

  #report(error: NatsAdapterError): void {
    for (const listener of this.#listeners) listener.busError(error);
  }
}

function connectionError(message: string, cause: unknown): NatsAdapterError {
  const options = cause === undefined ? undefined : { cause };
  return new NatsAdapterError(NatsAdapterErrorCode.CONNECTION_ERROR, message, options);
}

/** Waits for `promise` at most `ms` (never rejects: a failed flush is not a failed subscribe). */
async function bounded(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  await Promise.race([promise.then(noop, noop), limit]);
  clearTimeout(timer);
}

function noop(): void {}
