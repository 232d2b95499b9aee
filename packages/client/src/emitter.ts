// The component-emitter API socket.io-client users know (on/once/off/listeners/hasListeners/
// removeAllListeners and aliases), typed by listen events L and reserved events R. The listener
// store and dispatch are @switchyard/protocol's Emitter: the browser bundle carries one emitter.
import { type ArgsOf, Emitter as BaseEmitter } from "@switchyard/protocol";

export type { ArgsOf };

/** Any listener; user-typed maps narrow it. */
export type AnyListener = (...args: never[]) => unknown;

/** Map of event name → listener signature. */
export type EventsMap = { [event: string]: AnyListener };

/** Listener type for an event name: reserved events first, then user events. */
export type ListenerOf<L, R, Ev> = Ev extends keyof R ? R[Ev] : Ev extends keyof L ? L[Ev] : never;

/** Reserved and listen events in one map, reserved names winning. */
export type MergedEvents<L, R> = { [Ev in keyof R | keyof L]: ListenerOf<L, R, Ev> };

/** Synchronous emitter typed by listen-events L and reserved events R. */
export class Emitter<L extends object, R extends object> extends BaseEmitter<
  MergedEvents<L, R>,
  R
> {
  /**
   * Adds a listener and returns the function that removes it (cleanup is a loop over these).
   * @package
   */
  subscribe<Ev extends keyof R | keyof L>(ev: Ev, fn: ListenerOf<L, R, Ev>): () => void {
    this.on(ev, fn);
    return () => this.off(ev, fn);
  }

  /** Alias of {@link Emitter.on}. */
  addEventListener<Ev extends keyof R | keyof L>(ev: Ev, fn: ListenerOf<L, R, Ev>): this {
    return this.on(ev, fn);
  }

  /** Alias of {@link Emitter.off}. */
  removeListener<Ev extends keyof R | keyof L>(ev?: Ev, fn?: ListenerOf<L, R, Ev>): this {
    return this.off(ev, fn);
  }

  /** Alias of {@link Emitter.off}. */
  removeEventListener<Ev extends keyof R | keyof L>(ev?: Ev, fn?: ListenerOf<L, R, Ev>): this {
    return this.off(ev, fn);
  }

  /** Alias of {@link Emitter.off}. */
  removeAllListeners<Ev extends keyof R | keyof L>(ev?: Ev): this {
    return this.off(ev);
  }
}
