// A complete cluster adapter, written from docs/writing-an-adapter.md alone: a "broker" that
// lives in this process (topics, asynchronous delivery, a memory history) and the ClusterAdapter
// bound to it. test/cluster/tiny-bus.test.ts runs the adapter and recovery contracts on it.
import {
  type AdapterConstructor,
  type AdapterNamespace,
  ALL_LOG,
  ClusterAdapter,
  type ClusterAdapterOptions,
  type ClusterHistory,
  type ClusterTarget,
  type DeliveredPosition,
  MemoryHistory,
  TopicHandlers,
} from "@switchyard/server";

type Handler = (payload: Uint8Array, position?: DeliveredPosition) => void;

/** The broker: handlers per topic, each delivery a macrotask later, in publish order. */
export class TinyBroker {
  readonly topics: TopicHandlers<Handler> = new TopicHandlers();
  readonly history: MemoryHistory = new MemoryHistory();

  publish(topic: string, payload: Uint8Array, position?: DeliveredPosition): Promise<void> {
    const handlers = [...(this.topics.get(topic) ?? [])];
    return new Promise((resolve) => {
      setImmediate(() => {
        for (const handler of handlers) handler(payload, position);
        resolve();
      });
    });
  }
}

/** One topic per target of a namespace (JSON: no room name can forge another topic). */
export function topicOf(nsp: string, target: ClusterTarget): string {
  if (target.kind === "all") return JSON.stringify([nsp, "all"]);
  return JSON.stringify([nsp, target.kind, target.kind === "room" ? target.room : target.uid]);
}

/** The adapter of one namespace: publish, subscribe, and the history for recovery. */
export class TinyAdapter extends ClusterAdapter {
  readonly #broker: TinyBroker;
  readonly #handler: Handler = (payload, position) => this.onPayload(payload, position);
  #history: ClusterHistory | undefined;

  constructor(nsp: AdapterNamespace, broker: TinyBroker, options: ClusterAdapterOptions = {}) {
    super(nsp, options);
    this.#broker = broker;
  }

  protected doPublish(target: ClusterTarget, payload: Uint8Array): Promise<void> {
    return this.#broker.publish(topicOf(this.nsp.name, target), payload);
  }

  protected doSubscribe(target: ClusterTarget): Promise<void> {
    this.#broker.topics.add(topicOf(this.nsp.name, target), this.#handler);
    return Promise.resolve();
  }

  protected doUnsubscribe(target: ClusterTarget): Promise<void> {
    this.#broker.topics.delete(topicOf(this.nsp.name, target), this.#handler);
    return Promise.resolve();
  }

  protected override history(): ClusterHistory {
    this.#history ??= tinyHistory(this.#broker, this.nsp.name);
    return this.#history;
  }

  protected override doAppend(target: ClusterTarget, payload: Uint8Array): Promise<void> {
    return this.history().append(target, payload);
  }
}

/** The `adapter` option of every node: `new Server({ adapter: createTinyAdapter(broker) })`. */
export function createTinyAdapter(
  broker: TinyBroker,
  options: ClusterAdapterOptions = {},
): AdapterConstructor {
  return (nsp: AdapterNamespace) => new TinyAdapter(nsp, broker, options);
}

/** The history of namespace `nsp`: positions from one counter, delivered in position order. */
function tinyHistory(broker: TinyBroker, nsp: string): ClusterHistory {
  const memory = broker.history;
  const logOf = (target: ClusterTarget): string => (target.kind === "room" ? target.room : ALL_LOG);
  return {
    open: async () => memory.epoch(nsp),
    append: (target, payload) => {
      const position = memory.append(nsp, logOf(target), payload);
      return broker.publish(topicOf(nsp, target), payload, position);
    },
    fence: (uid, payload) => {
      const position = memory.append(nsp, undefined, payload);
      return broker.publish(topicOf(nsp, { kind: "node", uid }), payload, position);
    },
    read: async (targets, from) => memory.read(nsp, targets.map(logOf), from),
    sessions: {
      save: async (owner, writes) => memory.save(owner, writes),
      drop: async (owner, pids) => memory.drop(owner, pids),
      peek: async (pid) => memory.peek(pid),
      claim: async (owner, pid, ttlMs) => memory.claim(owner, pid, ttlMs),
      touch: async (uid, ttlMs) => memory.touch(uid, ttlMs),
      lastSeen: async (uid) => memory.lastSeen(uid),
    },
  };
}
