// Catch-all listeners of the namespace Socket: onAny/prependAny/offAny/listenersAny for incoming
// events and the *Outgoing family for emitted ones (socket.io-client's API, §4.4).
import { Emitter } from "./emitter.js";

/** A catch-all listener: gets the event name, then its arguments. */
export type AnyFn = (...args: unknown[]) => void;

/** Emitter plus catch-all listeners. */
export class AnyListeners<L extends object, R extends object> extends Emitter<L, R> {
  #anyListeners: AnyFn[] = [];
  #anyOutgoingListeners: AnyFn[] = [];

  /** Adds a listener called for every incoming event, before the event's own listeners. */
  onAny(listener: AnyFn): this {
    this.#anyListeners.push(listener);
    return this;
  }

  /** Like onAny, first in line. */
  prependAny(listener: AnyFn): this {
    this.#anyListeners.unshift(listener);
    return this;
  }

  /** Removes one catch-all listener, or all of them. */
  offAny(listener?: AnyFn): this {
    this.#anyListeners =
      listener === undefined ? [] : this.#anyListeners.filter((l) => l !== listener);
    return this;
  }

  /** The catch-all listeners. */
  listenersAny(): AnyFn[] {
    return this.#anyListeners.slice();
  }

  /** Adds a listener called for every outgoing event. */
  onAnyOutgoing(listener: AnyFn): this {
    this.#anyOutgoingListeners.push(listener);
    return this;
  }

  /** Like onAnyOutgoing, first in line. */
  prependAnyOutgoing(listener: AnyFn): this {
    this.#anyOutgoingListeners.unshift(listener);
    return this;
  }

  /** Removes one outgoing catch-all listener, or all of them. */
  offAnyOutgoing(listener?: AnyFn): this {
    this.#anyOutgoingListeners =
      listener === undefined ? [] : this.#anyOutgoingListeners.filter((l) => l !== listener);
    return this;
  }

  /** The outgoing catch-all listeners. */
  listenersAnyOutgoing(): AnyFn[] {
    return this.#anyOutgoingListeners.slice();
  }

  /**
   * Calls the catch-all listeners with an incoming event (`[name, ...args]`).
   * @package
   */
  notifyAny(args: readonly unknown[]): void {
    for (const listener of this.#anyListeners.slice()) listener(...args);
  }

  /**
   * Calls the outgoing catch-all listeners with an emitted event's data.
   * @package
   */
  notifyOutgoing(data: unknown): void {
    if (this.#anyOutgoingListeners.length === 0 || !Array.isArray(data)) return;
    for (const listener of this.#anyOutgoingListeners.slice()) listener(...data);
  }
}
