// The primary side of the IPC adapter: relays the workers' cluster messages to the other workers
// that subscribed to each topic (every node of a namespace, the holders of a room, one node), and
// tells the survivors when a worker's adapters are gone. `IpcRelay` is transport-free;
// `setupPrimaryRelay()` binds it to node:cluster (setupPrimary does this by itself).
import cluster, { type Worker } from "node:cluster";
import {
  type ClusterTarget,
  type DeliveredPosition,
  MemoryHistory,
  type MemoryHistoryOptions,
} from "@switchyard/server";
import { StickyError, StickyErrorCode } from "../errors.js";
import {
  type GoneNode,
  IPC_ADAPTER_MARKER,
  type RelayToWorkerMessage,
  readWorkerMessage,
  topicKey,
} from "../ipc/adapter-message.js";
import { answerHistory } from "./ipc-relay-history.js";

/** One worker as the relay sees it: where its messages go. */
export interface RelayPeer {
  /**
   * Sends a message to the worker; never throws. Returns false when the message was dropped (the
   * worker is gone, or its backlog is full).
   */
  send(message: RelayToWorkerMessage): boolean;
}

/** Counters of a relay. */
export interface IpcRelayStats {
  /** Workers with at least one subscription. */
  peers: number;
  /** Topics with at least one subscriber. */
  topics: number;
  /** Publishes received from workers. */
  published: number;
  /** Deliveries sent to workers (one publish may reach several). */
  delivered: number;
  /** IPC values that were not IPC adapter messages (the application's or the router's). */
  ignored: number;
  /** IPC adapter messages with a wrong shape. */
  malformed: number;
  /** Workers removed after they exited or disconnected. */
  peersGone: number;
  /** Messages not sent: the worker was gone or had too large a backlog. */
  dropped: number;
}

type Subscription = { nsp: string; target: ClusterTarget };

/**
 * Routes IPC adapter messages between workers by topic, and keeps the recovery history
 * (connection state recovery across workers; it outlives any worker).
 */
export class IpcRelay {
  /** The recovery history of every namespace of the workers. */
  readonly history: MemoryHistory;
  readonly #topics: Map<string, Set<RelayPeer>> = new Map();
  readonly #peers: Map<RelayPeer, Map<string, Subscription>> = new Map();
  readonly #counters = {
    published: 0,
    delivered: 0,
    ignored: 0,
    malformed: 0,
    peersGone: 0,
    dropped: 0,
  };

  constructor(options: { history?: MemoryHistoryOptions } = {}) {
    this.history = new MemoryHistory(options.history);
  }

  stats(): IpcRelayStats {
    return { peers: this.#peers.size, topics: this.#topics.size, ...this.#counters };
  }

  /**
   * Handles one IPC value from `from`. Returns whether it was an IPC adapter message; anything
   * else is ignored and counted, never thrown.
   */
  receive(from: RelayPeer, value: unknown): boolean {
    const result = readWorkerMessage(value);
    if (!result.ok) {
      if (result.reason === "foreign") this.#counters.ignored++;
      else this.#counters.malformed++;
      return result.reason === "malformed";
    }
    const message = result.message;
    if (message.kind === "history") {
      const reply = answerHistory(this.history, message, (nsp, target, payload, position) =>
        this.#deliverOrdered(nsp, target, payload, position),
      );
      this.#sendTo(from, reply);
      return true;
    }
    const topic = topicKey(message.nsp, message.target);
    switch (message.kind) {
      case "publish": {
        this.#counters.published++;
        const deliver = { marker: IPC_ADAPTER_MARKER, kind: "deliver", topic } as const;
        for (const peer of this.#topics.get(topic) ?? []) {
          if (peer !== from) this.#sendTo(peer, { ...deliver, payload: message.payload });
        }
        break;
      }
      case "subscribe":
        this.#subscribe(from, topic, { nsp: message.nsp, target: message.target });
        this.#sendTo(from, { marker: IPC_ADAPTER_MARKER, kind: "subscribed", id: message.id });
        break;
      default:
        this.#unsubscribe(from, topic);
    }
    return true;
  }

  /**
   * Forgets a worker (it exited or disconnected) and tells the others which adapters it held,
   * so that their pending requests stop waiting for it. Idempotent.
   */
  remove(peer: RelayPeer): void {
    const subscriptions = this.#peers.get(peer);
    if (subscriptions === undefined) return;
    this.#peers.delete(peer);
    this.#counters.peersGone++;
    const nodes: GoneNode[] = [];
    for (const [topic, { nsp, target }] of subscriptions) {
      this.#dropFromTopic(peer, topic);
      if (target.kind === "node") nodes.push({ nsp, uid: target.uid });
    }
    if (nodes.length === 0) return;
    for (const other of this.#peers.keys()) {
      this.#sendTo(other, { marker: IPC_ADAPTER_MARKER, kind: "gone", nodes });
    }
  }

  /** An append or a fence: to every subscriber of the topic, its sender too (log order). */
  #deliverOrdered(
    nsp: string,
    target: ClusterTarget,
    payload: string,
    position: DeliveredPosition,
  ): void {
    this.#counters.published++;
    const topic = topicKey(nsp, target);
    for (const peer of this.#topics.get(topic) ?? []) {
      this.#sendTo(peer, { marker: IPC_ADAPTER_MARKER, kind: "deliver", topic, payload, position });
    }
  }

  #sendTo(peer: RelayPeer, message: RelayToWorkerMessage): void {
    if (peer.send(message)) {
      if (message.kind === "deliver") this.#counters.delivered++;
    } else {
      this.#counters.dropped++;
    }
  }

  #subscribe(peer: RelayPeer, topic: string, subscription: Subscription): void {
    let subscriptions = this.#peers.get(peer);
    if (subscriptions === undefined) {
      subscriptions = new Map();
      this.#peers.set(peer, subscriptions);
    }
    subscriptions.set(topic, subscription);
    let peers = this.#topics.get(topic);
    if (peers === undefined) {
      peers = new Set();
      this.#topics.set(topic, peers);
    }
    peers.add(peer);
  }

  #unsubscribe(peer: RelayPeer, topic: string): void {
    const subscriptions = this.#peers.get(peer);
    if (subscriptions === undefined || !subscriptions.delete(topic)) return;
    this.#dropFromTopic(peer, topic);
    if (subscriptions.size === 0) this.#peers.delete(peer);
  }

  #dropFromTopic(peer: RelayPeer, topic: string): void {
    const peers = this.#topics.get(topic);
    if (peers?.delete(peer) && peers.size === 0) this.#topics.delete(topic);
  }
}

/** A relay bound to node:cluster in this primary. */
export interface PrimaryRelay {
  stats(): IpcRelayStats;
  /** Detaches this handle; the relay stops when the last handle is closed. Idempotent. */
  close(): void;
}

interface Installed {
  relay: IpcRelay;
  handles: number;
  detach(): void;
}

let installed: Installed | undefined;

/** Payload bytes queued to one worker beyond which deliveries are dropped (a stuck worker). */
const MAX_BACKLOG_BYTES = 64 * 1024 * 1024;

/**
 * Relays the IPC adapter's messages between this primary's cluster workers. `setupPrimary()`
 * calls it; call it yourself when you fork the workers with your own node:cluster primary.
 * Every call shares one relay (the first call's `history` bounds apply); it stops when every
 * handle is closed. The relay keeps the recovery history of the workers (in this process's
 * memory, bounded by `history`: entries per room and their age, default 10,000 and 10 minutes).
 * @example
 * if (cluster.isPrimary) { setupPrimaryRelay(); for (let i = 0; i < 4; i++) cluster.fork(); }
 * else new Server(httpServer, { adapter: createAdapter() });
 * @throws StickyError `SY_ERR_STICKY_WRONG_PROCESS` outside the cluster primary.
 */
export function setupPrimaryRelay(options: { history?: MemoryHistoryOptions } = {}): PrimaryRelay {
  if (!cluster.isPrimary) {
    throw new StickyError(
      StickyErrorCode.WRONG_PROCESS,
      "setupPrimaryRelay() must run in the cluster primary",
    );
  }
  const current = installed ?? install(options);
  installed = current;
  current.handles++;
  let open = true;
  return {
    stats: () => current.relay.stats(),
    close() {
      if (!open) return;
      open = false;
      current.handles--;
      if (current.handles > 0) return;
      current.detach();
      if (installed === current) installed = undefined;
    },
  };
}

function install(options: { history?: MemoryHistoryOptions }): Installed {
  const relay = new IpcRelay(options);
  const peers = new Map<Worker, RelayPeer>();
  const peerOf = (worker: Worker): RelayPeer => {
    let peer = peers.get(worker);
    if (peer === undefined) {
      let backlog = 0;
      peer = {
        send(message) {
          const size = message.kind === "deliver" ? message.payload.length : 0;
          if (!worker.isConnected() || backlog + size > MAX_BACKLOG_BYTES) return false;
          backlog += size;
          // The callback also keeps a send to a worker that just died from emitting 'error'.
          worker.send(message, undefined, {}, () => {
            backlog -= size;
          });
          return true;
        },
      };
      peers.set(worker, peer);
    }
    return peer;
  };
  const onMessage = (worker: Worker, value: unknown): void => {
    relay.receive(peerOf(worker), value);
  };
  const onGone = (worker: Worker): void => {
    const peer = peers.get(worker);
    if (peer === undefined) return;
    peers.delete(worker);
    relay.remove(peer);
  };
  cluster.on("message", onMessage);
  cluster.on("disconnect", onGone);
  cluster.on("exit", onGone);
  return {
    relay,
    handles: 0,
    detach() {
      cluster.off("message", onMessage);
      cluster.off("disconnect", onGone);
      cluster.off("exit", onGone);
      peers.clear();
    },
  };
}
