// A small synchronous event emitter (the component-emitter API socket.io-client users know):
// on/once/off/listeners/hasListeners/removeAllListeners. Base class of Socket, Manager, engine.

/** Any listener; user-typed maps narrow it. */
export type AnyListener = (...args: never[]) => unknown;

/** Map of event name → listener signature. */
export type EventsMap = { [event: string]: AnyListener };

/** Listener type for an event name: reserved events first, then user events. */
export type ListenerOf<L, R, Ev> = Ev extends keyof R ? R[Ev] : Ev extends keyof L ? L[Ev] : never;

/** Argument tuple of a listener type. */
export type ArgsOf<F> = F extends (...args: infer A) => unknown ? A : never;

type Call = ((...args: unknown[]) => unknown) & { fn?: unknown };

/** Synchronous emitter typed by listen-events L and reserved events R. */
export class Emitter<L extends object, R extends object> {
  // A Map, not an object: event names come from the peer ("__proto__" must stay a plain key).
  #listeners: Map<string, Call[]> = new Map();

  /** Adds a listener. */
  on<Ev extends (keyof R | keyof L) & string>(ev: Ev, fn: ListenerOf<L, R, Ev>): this {
    const list = this.#listeners.get(ev);
    if (list) list.push(fn as Call);
    else this.#listeners.set(ev, [fn as Call]);
    return this;
  }

  /**
   * Adds a listener and returns the function that removes it (cleanup is a loop over these).
   * @package
   */
  subscribe<Ev extends (keyof R | keyof L) & string>(ev: Ev, fn: ListenerOf<L, R, Ev>): () => void {
    this.on(ev, fn);
    return () => this.off(ev, fn);
  }

  /** Alias of {@link Emitter.on}. */
  addEventListener<Ev extends (keyof R | keyof L) & string>(
    ev: Ev,
    fn: ListenerOf<L, R, Ev>,
  ): this {
    return this.on(ev, fn);
  }

  /** Adds a listener that runs at most once. */
  once<Ev extends (keyof R | keyof L) & string>(ev: Ev, fn: ListenerOf<L, R, Ev>): this {
    const wrapper: Call = (...args) => {
      this.off(ev, fn);
      (fn as Call).apply(this, args);
    };
    // `off(ev, fn)` finds the wrapper through `fn`.
    wrapper.fn = fn;
    return this.on(ev, wrapper as ListenerOf<L, R, Ev>);
  }

  /** Removes one listener, every listener of an event, or every listener. */
  off<Ev extends (keyof R | keyof L) & string>(ev?: Ev, fn?: ListenerOf<L, R, Ev>): this {
    const list = ev === undefined ? undefined : this.#listeners.get(ev);
    if (ev === undefined) this.#listeners.clear();
    else if (fn === undefined || !list) this.#listeners.delete(ev);
    else {
      const index = list.findIndex((l) => l === fn || l.fn === fn);
      if (index >= 0) list.splice(index, 1);
      if (!list.length) this.#listeners.delete(ev);
    }
    return this;
  }

  /** Alias of {@link Emitter.off}. */
  removeListener<Ev extends (keyof R | keyof L) & string>(
    ev?: Ev,
    fn?: ListenerOf<L, R, Ev>,
  ): this {
    return this.off(ev, fn);
  }

  /** Alias of {@link Emitter.off}. */
  removeEventListener<Ev extends (keyof R | keyof L) & string>(
    ev?: Ev,
    fn?: ListenerOf<L, R, Ev>,
  ): this {
    return this.off(ev, fn);
  }

  /** Alias of {@link Emitter.off}. */
  removeAllListeners<Ev extends (keyof R | keyof L) & string>(ev?: Ev): this {
    return this.off(ev);
  }

  /** The listeners of an event, in call order. */
  listeners<Ev extends (keyof R | keyof L) & string>(ev: Ev): ListenerOf<L, R, Ev>[] {
    return (this.#listeners.get(ev) ?? []).map((l) => (l.fn ?? l) as ListenerOf<L, R, Ev>);
  }

  /** Whether the event has any listener. */
  hasListeners(ev: string): boolean {
    return !!this.#listeners.get(ev)?.length;
  }

  /**
   * Calls the listeners of a reserved event (internal events such as `connect` or `open`).
   * @package
   */
  emitReserved<Ev extends keyof R & string>(ev: Ev, ...args: ArgsOf<R[Ev]>): void {
    this.emitUntyped(ev, args);
  }

  /**
   * Calls every listener of `ev` with `args` (over a copy, so listeners may unsubscribe).
   * @package
   */
  emitUntyped(ev: string, args: readonly unknown[]): void {
    for (const l of this.#listeners.get(ev)?.slice() ?? []) l.apply(this, args as unknown[]);
  }
}
