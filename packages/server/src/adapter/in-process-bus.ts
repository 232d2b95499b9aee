// An in-process bus for cluster adapters: several Servers in one process share rooms and
// broadcasts through it, as through a broker (encoded bytes, asynchronous delivery). Used by the
// fast tests and by the adapter contract suite as the reference bus.
import type { AdapterConstructor, AdapterContract, AdapterNamespace } from "./adapter.js";
import { ClusterAdapter } from "./cluster-adapter.js";
import type { ClusterTarget } from "./cluster-bus.js";
import type { ClusterAdapterOptions } from "./cluster-options.js";

type Handler = (payload: Uint8Array) => void;

/** A topic-based in-memory bus; delivery is asynchronous (next macrotask), like a broker's. */
export class InProcessBus {
  readonly #topics: Map<string, Set<Handler>> = new Map();
  /** Deliveries per topic kind: how many handler calls each kind of topic caused. */
  readonly deliveries: { all: number; room: number; node: number } = { all: 0, room: 0, node: 0 };
  #online = true;

  /** The adapter option: `new Server({ adapter: bus.adapter() })` on every node. */
  adapter(options: ClusterAdapterOptions = {}): AdapterConstructor {
    return (nsp: AdapterNamespace): AdapterContract => new InProcessAdapter(nsp, this, options);
  }

  /** While offline, publish rejects (simulates a broker outage). */
  setOnline(online: boolean): void {
    this.#online = online;
  }

  /** The number of handlers subscribed to a topic (see {@link topicOf}). */
  subscribers(topic: string): number {
    return this.#topics.get(topic)?.size ?? 0;
  }

  /** Sends raw bytes to a topic's subscribers (also used by tests to inject hostile input). */
  publish(
    topic: string,
    payload: Uint8Array,
    kind: "all" | "room" | "node" = "all",
  ): Promise<void> {
    if (!this.#online) return Promise.reject(new Error("in-process bus offline"));
    const handlers = this.#topics.get(topic);
    if (handlers === undefined) return Promise.resolve();
    const targets = [...handlers];
    this.deliveries[kind] += targets.length;
    return new Promise((resolve) => {
      setImmediate(() => {
        for (const handler of targets) handler(payload);
        resolve();
      });
    });
  }

  /** Adds a handler to a topic. */
  subscribe(topic: string, handler: Handler): void {
    let handlers = this.#topics.get(topic);
    if (handlers === undefined) {
      handlers = new Set();
      this.#topics.set(topic, handlers);
    }
    handlers.add(handler);
  }

  /** Removes a handler from a topic. */
  unsubscribe(topic: string, handler: Handler): void {
    const handlers = this.#topics.get(topic);
    if (handlers?.delete(handler) && handlers.size === 0) this.#topics.delete(topic);
  }
}

/** The topic name of a target in namespace `nsp` (NUL-separated: no user string can forge it). */
export function topicOf(nsp: string, target: ClusterTarget): string {
  if (target.kind === "all") return `${nsp}\u0000all`;
  if (target.kind === "room") return `${nsp}\u0000room\u0000${target.room}`;
  return `${nsp}\u0000node\u0000${target.uid}`;
}

/** The cluster adapter bound to an {@link InProcessBus}. */
export class InProcessAdapter extends ClusterAdapter {
  readonly #bus: InProcessBus;
  readonly #handler: Handler = (payload) => this.onPayload(payload);

  constructor(nsp: AdapterNamespace, bus: InProcessBus, options: ClusterAdapterOptions = {}) {
    super(nsp, options);
    this.#bus = bus;
  }

  protected doPublish(target: ClusterTarget, payload: Uint8Array): Promise<void> {
    return this.#bus.publish(topicOf(this.nsp.name, target), payload, target.kind);
  }

  protected doSubscribe(target: ClusterTarget): Promise<void> {
    this.#bus.subscribe(topicOf(this.nsp.name, target), this.#handler);
    return Promise.resolve();
  }

  protected doUnsubscribe(target: ClusterTarget): Promise<void> {
    this.#bus.unsubscribe(topicOf(this.nsp.name, target), this.#handler);
    return Promise.resolve();
  }
}
