// An in-process bus for cluster adapters: several Servers in one process share rooms and
// broadcasts through it, as through a broker (encoded bytes, asynchronous delivery). Used by the
// fast tests and by the adapter contract suite as the reference bus.
import type { AdapterConstructor, AdapterContract, AdapterNamespace } from "./adapter.js";
import { ClusterAdapter } from "./cluster-adapter.js";
import type { ClusterTarget } from "./cluster-bus.js";
import type { ClusterHistory, DeliveredPosition } from "./cluster-history.js";
import type { ClusterAdapterOptions } from "./cluster-options.js";
import { ALL_LOG, MemoryHistory, type MemoryHistoryOptions } from "./memory-history.js";
import { TopicHandlers } from "./topic-handlers.js";

type Handler = (payload: Uint8Array, position?: DeliveredPosition) => void;

/**
 * A topic-based in-memory bus; delivery is asynchronous (next macrotask), like a broker's. It also
 * keeps the recovery history (MemoryHistory): appends get a position and reach the subscribers
 * in position order.
 */
export class InProcessBus {
  readonly #topics: TopicHandlers<Handler> = new TopicHandlers();
  /** The recovery history of every namespace on this bus. */
  readonly history: MemoryHistory;
  /** Deliveries per topic kind: how many handler calls each kind of topic caused. */
  readonly deliveries: { all: number; room: number; node: number } = { all: 0, room: 0, node: 0 };
  #online = true;

  constructor(options: MemoryHistoryOptions = {}) {
    this.history = new MemoryHistory(options);
  }

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
    return this.#topics.count(topic);
  }

  /** Sends raw bytes to a topic's subscribers (also used by tests to inject hostile input). */
  publish(
    topic: string,
    payload: Uint8Array,
    kind: "all" | "room" | "node" = "all",
    position?: DeliveredPosition,
  ): Promise<void> {
    if (!this.#online) return Promise.reject(new Error("in-process bus offline"));
    const handlers = this.#topics.get(topic);
    if (handlers === undefined) return Promise.resolve();
    const targets = [...handlers];
    this.deliveries[kind] += targets.length;
    return new Promise((resolve) => {
      setImmediate(() => {
        for (const handler of targets) handler(payload, position);
        resolve();
      });
    });
  }

  /** The recovery history of namespace `nsp` on this bus (see cluster-history.ts). */
  historyOf(nsp: string): ClusterHistory {
    const history = this.history;
    const offline = (): Promise<never> => Promise.reject(new Error("in-process bus offline"));
    return {
      open: () => (this.#online ? Promise.resolve(history.epoch(nsp)) : offline()),
      append: (target, payload) => {
        if (!this.#online) return offline();
        const log = target.kind === "room" ? target.room : ALL_LOG;
        const position = history.append(nsp, log, payload);
        return this.publish(topicOf(nsp, target), payload, target.kind, position);
      },
      fence: (uid, payload) => {
        if (!this.#online) return offline();
        const position = history.append(nsp, undefined, payload);
        return this.publish(topicOf(nsp, { kind: "node", uid }), payload, "node", position);
      },
      read: (targets, from) => {
        if (!this.#online) return offline();
        const logs = targets.map((t) => (t.kind === "room" ? t.room : ALL_LOG));
        const read = history.read(nsp, logs, from);
        // Answered a macrotask later, like a broker's round trip: deliveries can happen meanwhile.
        return new Promise((resolve) => setImmediate(() => resolve(read)));
      },
      sessions: {
        save: (owner, writes) =>
          this.#online ? Promise.resolve(history.save(owner, writes)) : offline(),
        drop: (owner, pids) =>
          this.#online ? Promise.resolve(history.drop(owner, pids)) : offline(),
        peek: (pid) => (this.#online ? Promise.resolve(history.peek(pid)) : offline()),
        claim: (owner, pid, ttlMs) =>
          this.#online ? Promise.resolve(history.claim(owner, pid, ttlMs)) : offline(),
        touch: (uid, ttlMs) =>
          this.#online ? Promise.resolve(history.touch(uid, ttlMs)) : offline(),
        lastSeen: (uid) => (this.#online ? Promise.resolve(history.lastSeen(uid)) : offline()),
      },
    };
  }

  /** Adds a handler to a topic. */
  subscribe(topic: string, handler: Handler): void {
    this.#topics.add(topic, handler);
  }

  /** Removes a handler from a topic. */
  unsubscribe(topic: string, handler: Handler): void {
    this.#topics.delete(topic, handler);
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
  readonly #handler: Handler = (payload, position) => this.onPayload(payload, position);
  #history: ClusterHistory | undefined;

  constructor(nsp: AdapterNamespace, bus: InProcessBus, options: ClusterAdapterOptions = {}) {
    super(nsp, options);
    this.#bus = bus;
  }

  protected override history(): ClusterHistory {
    this.#history ??= this.#bus.historyOf(this.nsp.name);
    return this.#history;
  }

  protected override doAppend(target: ClusterTarget, payload: Uint8Array): Promise<void> {
    return this.history().append(target, payload);
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
