// A tiny typed, isomorphic event emitter (no node:events): the base of the Socket.IO Decoder and
// of every @switchyard/client emitter (Socket, Manager, engine, transports), so a browser bundle
// carries one. Listener exceptions propagate to the emitter's caller, as with Node's EventEmitter.

/** Map of event name to listener signature. */
export type EventMap = { [event: string]: (...args: never[]) => void };

/** Argument tuple of a listener type. */
export type ArgsOf<F> = F extends (...args: infer A) => unknown ? A : never;

/** A stored listener; a once() wrapper carries the function it wraps as `fn`. */
type Listener = ((...args: unknown[]) => unknown) & { fn?: unknown };

/**
 * Typed emitter: `on`, `once`, `off`, listener queries, and `emitReserved` for subclasses.
 * `Reserved` types what the emitter itself emits, when that differs from what may be listened to.
 */
export class Emitter<Events extends object, Reserved extends object = Events> {
  // A Map, not an object: event names may come from a peer ("__proto__" must stay a plain key).
  #listeners: Map<PropertyKey, Listener[]> = new Map();

  /** Adds a listener for `event`. */
  on<E extends keyof Events>(event: E, fn: Events[E]): this {
    const list = this.#listeners.get(event);
    if (list) list.push(fn as Listener);
    else this.#listeners.set(event, [fn as Listener]);
    return this;
  }

  /** Adds a listener that is removed after its first call (or by `off(event, fn)`). */
  once<E extends keyof Events>(event: E, fn: Events[E]): this {
    const wrapper: Listener = (...args) => {
      this.off(event, wrapper as Events[E]);
      (fn as Listener).apply(this, args);
    };
    wrapper.fn = fn;
    return this.on(event, wrapper as Events[E]);
  }

  /** Removes one listener (a once() one by its own function too), every listener of `event`, or all. */
  off<E extends keyof Events>(event?: E, fn?: Events[E]): this {
    const list = event === undefined ? undefined : this.#listeners.get(event);
    if (event === undefined) this.#listeners.clear();
    else if (fn === undefined || !list) this.#listeners.delete(event);
    else {
      const index = list.findIndex((l) => l === fn || l.fn === fn);
      if (index >= 0) list.splice(index, 1);
      if (!list.length) this.#listeners.delete(event);
    }
    return this;
  }

  /** Number of listeners registered for `event`. */
  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /** The listeners of `event`, in call order (once() ones as the function given). */
  listeners<E extends keyof Events>(event: E): Events[E][] {
    return (this.#listeners.get(event) ?? []).map((l) => (l.fn ?? l) as Events[E]);
  }

  /** True when `event` has a listener: lets hot paths skip building the emit arguments. */
  hasListeners(event: string | keyof Events): boolean {
    return this.#listeners.has(event);
  }

  /**
   * Calls every listener of `event` in registration order; returns whether there was one.
   * @package
   */
  emitReserved<E extends keyof Reserved>(event: E, ...args: ArgsOf<Reserved[E]>): boolean {
    return this.emitUntyped(event, args);
  }

  /**
   * {@link Emitter.emitReserved} with an event name and arguments that are not typed (user
   * events). Runs over a copy, so listeners added or removed meanwhile wait for the next emit.
   * @package
   */
  emitUntyped(event: PropertyKey, args: readonly unknown[]): boolean {
    const list = this.#listeners.get(event);
    if (list === undefined) return false;
    // One listener (the usual case) needs no copy: nothing else in the list could be skipped.
    if (list.length === 1) (list[0] as Listener).apply(this, args as unknown[]);
    else for (const fn of list.slice()) fn.apply(this, args as unknown[]);
    return true;
  }
}
