// A tiny typed, isomorphic event emitter (no node:events) used by the Socket.IO Decoder.
// Listener exceptions propagate to the emitter's caller, as with Node's EventEmitter.

/** once() wrapper → the listener it wraps, so off(event, listener) also removes a once(). */
const onceTargets = new WeakMap<object, unknown>();

/** Map of event name to listener signature. */
export type EventMap = { [event: string]: (...args: never[]) => void };

/** Minimal typed emitter: `on`, `once`, `off`, and a protected `emit`. */
export class Emitter<Events extends EventMap> {
  #listeners: Map<keyof Events, Array<Events[keyof Events]>> = new Map();

  /** Adds a listener for `event`. */
  on<E extends keyof Events>(event: E, fn: Events[E]): this {
    const list = this.#listeners.get(event);
    if (list === undefined) this.#listeners.set(event, [fn]);
    else list.push(fn);
    return this;
  }

  /** Adds a listener that is removed after its first call (or by `off(event, fn)`). */
  once<E extends keyof Events>(event: E, fn: Events[E]): this {
    const wrapper = ((...args: Parameters<Events[E]>) => {
      this.off(event, wrapper);
      fn(...args);
    }) as Events[E];
    onceTargets.set(wrapper, fn);
    return this.on(event, wrapper);
  }

  /** Removes one listener, every listener of `event`, or every listener (no arguments). */
  off<E extends keyof Events>(event?: E, fn?: Events[E]): this {
    if (event === undefined) {
      this.#listeners.clear();
      return this;
    }
    const list = this.#listeners.get(event);
    if (list === undefined) return this;
    if (fn === undefined) {
      this.#listeners.delete(event);
      return this;
    }
    // `fn` may also name a once() listener by the function given to once().
    const index = list.findIndex((listener) => listener === fn || onceTargets.get(listener) === fn);
    if (index !== -1) list.splice(index, 1);
    if (list.length === 0) this.#listeners.delete(event);
    return this;
  }

  /** Number of listeners registered for `event`. */
  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /** True when `event` has a listener: lets hot paths skip building the emit arguments. */
  protected hasListeners(event: keyof Events): boolean {
    return this.#listeners.has(event);
  }

  /** Calls every listener of `event` in registration order; returns whether there was one. */
  protected emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): boolean {
    const list = this.#listeners.get(event);
    if (list === undefined) return false;
    if (list.length === 1) {
      (list[0] as (...a: Parameters<Events[E]>) => void)(...args);
      return true;
    }
    // Copy so listeners added or removed during the emit do not change this round.
    for (const fn of list.slice()) (fn as (...a: Parameters<Events[E]>) => void)(...args);
    return true;
  }
}
