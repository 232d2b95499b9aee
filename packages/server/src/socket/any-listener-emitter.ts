// The catch-all listener API shared by sockets: onAny/prependAny/offAny/listenersAny for
// incoming events and the onAnyOutgoing family for everything sent (broadcasts included).
import type { Packet } from "@switchyard/protocol";
import type { EventsMap } from "../typed-events.js";
import { StrictEventEmitter } from "../typed-events.js";
import { type AnyListener, AnyListeners } from "./any-listeners.js";

/** A typed EventEmitter with catch-all listeners for incoming and outgoing events. */
export abstract class AnyListenerEmitter<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ReservedEvents extends EventsMap,
> extends StrictEventEmitter<ListenEvents, EmitEvents, ReservedEvents> {
  // Created on first use: most sockets never get a catch-all listener.
  #anyIncoming: AnyListeners | undefined;
  #anyOutgoing: AnyListeners | undefined;

  onAny(listener: AnyListener): this {
    this.#incoming().add(listener);
    return this;
  }

  prependAny(listener: AnyListener): this {
    this.#incoming().prepend(listener);
    return this;
  }

  offAny(listener?: AnyListener): this {
    this.#anyIncoming?.remove(listener);
    return this;
  }

  listenersAny(): AnyListener[] {
    return this.#anyIncoming?.list() ?? [];
  }

  onAnyOutgoing(listener: AnyListener): this {
    this.#outgoing().add(listener);
    return this;
  }

  prependAnyOutgoing(listener: AnyListener): this {
    this.#outgoing().prepend(listener);
    return this;
  }

  offAnyOutgoing(listener?: AnyListener): this {
    this.#anyOutgoing?.remove(listener);
    return this;
  }

  listenersAnyOutgoing(): AnyListener[] {
    return this.#anyOutgoing?.list() ?? [];
  }

  /** @package Runs the outgoing any-listeners (also for broadcasts). */
  notifyOutgoingListeners(packet: Packet): void {
    const outgoing = this.#anyOutgoing;
    if (outgoing !== undefined && outgoing.size > 0 && Array.isArray(packet.data)) {
      outgoing.call(this, packet.data);
    }
  }

  /** Runs the incoming any-listeners, before the middlewares and regular listeners. */
  protected callAnyIncoming(args: readonly unknown[]): void {
    this.#anyIncoming?.call(this, args);
  }

  #incoming(): AnyListeners {
    if (this.#anyIncoming === undefined) this.#anyIncoming = new AnyListeners();
    return this.#anyIncoming;
  }

  #outgoing(): AnyListeners {
    if (this.#anyOutgoing === undefined) this.#anyOutgoing = new AnyListeners();
    return this.#anyOutgoing;
  }
}
