// The reference-counted topic → handlers map of a bus shared by several adapters (every namespace
// of a server, every server of a process): the first handler of a topic subscribes at the broker,
// the last one unsubscribes. Used by the in-process bus, the Redis bus and the sticky IPC bus.

/**
 * Handlers per topic. `add` and `delete` say when the broker must be told: `add` returns true
 * for a topic's first handler, `delete` for its last.
 * @example
 * if (topics.add(channel, handler)) await redis.subscribe(channel);
 * if (topics.delete(channel, handler)) await redis.unsubscribe(channel);
 */
export class TopicHandlers<H> {
  readonly #topics: Map<string, Set<H>> = new Map();

  /** Adds `handler` to `topic`; true when the topic had no handler before (subscribe now). */
  add(topic: string, handler: H): boolean {
    let handlers = this.#topics.get(topic);
    if (handlers === undefined) {
      handlers = new Set();
      this.#topics.set(topic, handlers);
    }
    const first = handlers.size === 0;
    handlers.add(handler);
    return first;
  }

  /**
   * Removes `handler` from `topic`; true when it was there and was the topic's last handler
   * (unsubscribe now). Removing an absent handler changes nothing and returns false.
   */
  delete(topic: string, handler: H): boolean {
    const handlers = this.#topics.get(topic);
    if (handlers === undefined || !handlers.delete(handler) || handlers.size > 0) return false;
    this.#topics.delete(topic);
    return true;
  }

  /** The live handler set of `topic` (undefined without handlers); copy it before calling out. */
  get(topic: string): ReadonlySet<H> | undefined {
    return this.#topics.get(topic);
  }

  /** The number of handlers of `topic`. */
  count(topic: string): number {
    return this.#topics.get(topic)?.size ?? 0;
  }

  /** The number of topics with at least one handler. */
  get size(): number {
    return this.#topics.size;
  }
}
