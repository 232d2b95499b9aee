// Catch-all listeners (onAny / onAnyOutgoing families): called with the event name and arguments,
// before the regular listeners. Each call runs on a snapshot, so a listener may remove itself.

/** A catch-all listener. */
// biome-ignore lint/suspicious/noExplicitAny: catch-all listeners receive arbitrary arguments
export type AnyListener = (event: string, ...args: any[]) => void;

/** An ordered list of catch-all listeners. */
export class AnyListeners {
  #listeners: AnyListener[] = [];

  add(listener: AnyListener): void {
    this.#listeners.push(listener);
  }

  prepend(listener: AnyListener): void {
    this.#listeners.unshift(listener);
  }

  /** Removes one listener, or all of them when none is given. */
  remove(listener?: AnyListener): void {
    if (listener === undefined) {
      this.#listeners = [];
      return;
    }
    const index = this.#listeners.indexOf(listener);
    if (index !== -1) this.#listeners.splice(index, 1);
  }

  list(): AnyListener[] {
    return [...this.#listeners];
  }

  get size(): number {
    return this.#listeners.length;
  }

  /** Calls every listener with `this` bound; an exception is rethrown on the next tick (B5.6). */
  call(thisArg: unknown, args: readonly unknown[]): void {
    if (this.#listeners.length === 0) return;
    for (const listener of [...this.#listeners]) {
      try {
        Reflect.apply(listener, thisArg, args);
      } catch (err) {
        process.nextTick(() => {
          throw err;
        });
        return;
      }
    }
  }
}
