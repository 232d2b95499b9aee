// The worker side of the IPC adapter: one bus per process channel, shared by every namespace
// adapter (and every Server) of the worker. Subscriptions are reference-counted per topic and
// confirmed by the relay; handlers in the same process are served directly, the other workers
// through the relay in the primary. Foreign IPC traffic is ignored, malformed relay messages are
// counted, nothing received throws.
import {
  CLUSTER_PROTOCOL_VERSION,
  type ClusterHistory,
  type ClusterTarget,
  type DeliveredPosition,
  encodeClusterMessage,
  MessageType,
  TopicHandlers,
} from "@switchyard/server";
import {
  type GoneNode,
  IPC_ADAPTER_MARKER,
  readRelayMessage,
  topicKey,
  type WorkerToRelayMessage,
} from "./adapter-message.js";
import { ipcHistory } from "./bus-history.js";
import type { HistoryOp } from "./history-message.js";

/** Receives the payloads published to a topic; ordered ones come with their position. */
export type IpcHandler = (payload: Uint8Array, position?: DeliveredPosition) => void;

/** A bidirectional IPC channel: the worker's `process` by default (see {@link processChannel}). */
export interface IpcChannel {
  /** Sends a message; `callback` gets the error when it could not be sent. */
  send(message: WorkerToRelayMessage, callback: (error: Error | null) => void): void;
  /** Starts passing every incoming IPC value to `listener`. */
  listen(listener: (value: unknown) => void): void;
  /** Stops passing incoming values to `listener`. */
  unlisten(listener: (value: unknown) => void): void;
}

/** Options of an {@link IpcBus}. */
export interface IpcBusOptions {
  /**
   * How long a subscription waits for the relay's confirmation, in ms; after it, the subscribe
   * fails (reported as `SY_ERR_ADAPTER_SUBSCRIBE_FAILED`): usually no relay runs in the primary.
   * @default 5000
   */
  subscribeTimeoutMs?: number;
}

/** Counters of a bus (read them in metrics and tests). */
export interface IpcBusCounters {
  /** Messages sent to the relay. */
  sent: number;
  /** Payloads handed to local handlers (from the relay or from this process). */
  delivered: number;
  /** IPC values that were not IPC adapter messages (the application's own traffic). */
  ignored: number;
  /** IPC adapter messages with a wrong shape, and subscription confirmations nobody awaited. */
  malformed: number;
  /** Adapters of dead workers reported by the relay. */
  gone: number;
}

type PendingAck = { resolve: () => void; reject: (error: Error) => void; timer: NodeJS.Timeout };
type PendingRequest = {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
};

/**
 * The channel of this process to its cluster primary, or undefined outside a forked process.
 * Publishes fail (and are counted by the adapter) while more than `maxBacklogBytes` of payload
 * wait to be written: a stuck primary cannot make the worker's memory grow without bound.
 */
export function processChannel(maxBacklogBytes: number = 64 * 1024 * 1024): IpcChannel | undefined {
  const send = process.send?.bind(process);
  if (send === undefined) return undefined;
  let backlog = 0;
  return {
    send(message, callback) {
      if (!process.connected) {
        callback(new Error("the IPC channel to the primary is closed"));
        return;
      }
      const size = message.kind === "publish" ? message.payload.length : 0;
      if (backlog + size > maxBacklogBytes) {
        callback(new Error("the IPC backlog to the primary is full"));
        return;
      }
      backlog += size;
      send(message, undefined, {}, (error: Error | null) => {
        backlog -= size;
        callback(error ?? null);
      });
    },
    listen: (listener) => process.on("message", listener),
    unlisten: (listener) => process.off("message", listener),
  };
}

/** Publish/subscribe over one IPC channel to the relay in the primary. */
export class IpcBus {
  readonly counters: IpcBusCounters = { sent: 0, delivered: 0, ignored: 0, malformed: 0, gone: 0 };
  readonly #channel: IpcChannel;
  readonly #subscribeTimeoutMs: number;
  readonly #handlers: TopicHandlers<IpcHandler> = new TopicHandlers();
  /** The relay's confirmation of each topic's subscription (shared by later handlers). */
  readonly #confirmed: Map<string, Promise<void>> = new Map();
  readonly #acks: Map<number, PendingAck> = new Map();
  /** History requests waiting for the relay's reply. */
  readonly #requests: Map<number, PendingRequest> = new Map();
  readonly #histories: Map<string, ClusterHistory> = new Map();
  readonly #listener = (value: unknown): void => this.receive(value);
  #nextId = 0;
  #listening = false;

  constructor(channel: IpcChannel, options: IpcBusOptions = {}) {
    this.#channel = channel;
    this.#subscribeTimeoutMs = options.subscribeTimeoutMs ?? 5000;
  }

  /** The number of local handlers of a topic. */
  handlers(nsp: string, target: ClusterTarget): number {
    return this.#handlers.count(topicKey(nsp, target));
  }

  /**
   * Publishes to the topic's handlers in this process (except `from`) and, through the relay,
   * in the other workers. A node target whose handler is local stays in this process.
   */
  publish(
    nsp: string,
    target: ClusterTarget,
    payload: Uint8Array,
    from?: IpcHandler,
  ): Promise<void> {
    const topic = topicKey(nsp, target);
    const local = [...(this.#handlers.get(topic) ?? [])].filter((handler) => handler !== from);
    if (local.length > 0) {
      // Asynchronous like a broker (and like the relay's deliveries): never re-entrant.
      setImmediate(() => this.#dispatch(local, payload));
      if (target.kind === "node") return Promise.resolve();
    }
    const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    return this.#send({
      marker: IPC_ADAPTER_MARKER,
      kind: "publish",
      nsp,
      target,
      payload: bytes.toString("base64"),
    });
  }

  /** Adds a handler; resolves once the relay confirmed the topic (rejects after the timeout). */
  subscribe(nsp: string, target: ClusterTarget, handler: IpcHandler): Promise<void> {
    const topic = topicKey(nsp, target);
    this.#handlers.add(topic, handler);
    this.#updateListening();
    const confirmed = this.#confirmed.get(topic);
    if (confirmed !== undefined) return confirmed;
    const id = this.#nextId++;
    const confirmation = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#acks.delete(id);
        this.#confirmed.delete(topic);
        reject(
          new Error(
            `no IPC relay confirmed the subscription within ${this.#subscribeTimeoutMs} ms (is setupPrimary() or setupPrimaryRelay() running in the primary?)`,
          ),
        );
      }, this.#subscribeTimeoutMs);
      timer.unref();
      this.#acks.set(id, { resolve, reject, timer });
    });
    // Later handlers of the topic share the confirmation; a failure is reported to each caller.
    confirmation.catch(() => undefined);
    this.#confirmed.set(topic, confirmation);
    const message = { marker: IPC_ADAPTER_MARKER, kind: "subscribe", nsp, target, id } as const;
    this.#send(message).catch((error: unknown) => this.#settleAck(id, asError(error)));
    return confirmation;
  }

  /** The recovery history of namespace `nsp`, kept by the relay in the primary. */
  historyOf(nsp: string): ClusterHistory {
    let history = this.#histories.get(nsp);
    if (history === undefined) {
      history = ipcHistory(nsp, (name, op, args) => this.#request(name, op, args));
      this.#histories.set(nsp, history);
    }
    return history;
  }

  /** Sends one history request; rejects on the relay's error or after the subscribe timeout. */
  #request(nsp: string, op: HistoryOp, args: unknown[]): Promise<unknown> {
    const id = this.#nextId++;
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#requests.delete(id);
        this.#updateListening();
        reject(new Error(`the IPC relay did not answer a history request (${op})`));
      }, this.#subscribeTimeoutMs);
      timer.unref();
      this.#requests.set(id, { resolve, reject, timer });
    });
    this.#updateListening();
    const message = { marker: IPC_ADAPTER_MARKER, kind: "history", id, nsp, op, args } as const;
    this.#send(message).catch((error: unknown) =>
      this.#settleRequest(id, undefined, asError(error)),
    );
    return reply;
  }

  #settleRequest(id: number, value: unknown, error: Error | undefined): void {
    const pending = this.#requests.get(id);
    if (pending === undefined) {
      this.counters.malformed++;
      return;
    }
    this.#requests.delete(id);
    clearTimeout(pending.timer);
    this.#updateListening();
    if (error === undefined) pending.resolve(value);
    else pending.reject(error);
  }

  /** Removes a handler; the last one of a topic unsubscribes it at the relay. */
  unsubscribe(nsp: string, target: ClusterTarget, handler: IpcHandler): Promise<void> {
    const topic = topicKey(nsp, target);
    if (!this.#handlers.delete(topic, handler)) return Promise.resolve();
    this.#confirmed.delete(topic);
    this.#updateListening();
    return this.#send({ marker: IPC_ADAPTER_MARKER, kind: "unsubscribe", nsp, target });
  }

  /** Handles one IPC value from the primary (the channel's listener). Never throws. */
  receive(value: unknown): void {
    const result = readRelayMessage(value);
    if (!result.ok) {
      if (result.reason === "foreign") this.counters.ignored++;
      else this.counters.malformed++;
      return;
    }
    const message = result.message;
    switch (message.kind) {
      case "deliver": {
        const handlers = this.#handlers.get(message.topic);
        if (handlers === undefined) return;
        const bytes = Buffer.from(message.payload, "base64");
        const payload = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
        this.#dispatch([...handlers], payload, message.position);
        return;
      }
      case "history-reply": {
        const error = message.ok ? undefined : new Error(message.error ?? "history request failed");
        this.#settleRequest(message.id, message.value, error);
        return;
      }
      case "subscribed":
        if (!this.#acks.has(message.id)) this.counters.malformed++;
        this.#settleAck(message.id, undefined);
        return;
      default:
        this.#onGone(message.nodes);
    }
  }

  /** Tells the local adapters of each gone node's namespace that it closed (ADAPTER_CLOSE). */
  #onGone(nodes: GoneNode[]): void {
    for (const { nsp, uid } of nodes) {
      const handlers = this.#handlers.get(topicKey(nsp, { kind: "all" }));
      if (handlers === undefined) continue;
      this.counters.gone++;
      const closed = encodeClusterMessage({
        v: CLUSTER_PROTOCOL_VERSION,
        uid,
        nsp,
        type: MessageType.ADAPTER_CLOSE,
        data: undefined,
      });
      this.#dispatch([...handlers], closed);
    }
  }

  #dispatch(handlers: IpcHandler[], payload: Uint8Array, position?: DeliveredPosition): void {
    for (const handler of handlers) {
      this.counters.delivered++;
      handler(payload, position);
    }
  }

  #send(message: WorkerToRelayMessage): Promise<void> {
    this.counters.sent++;
    return new Promise((resolve, reject) => {
      try {
        this.#channel.send(message, (error) => (error === null ? resolve() : reject(error)));
      } catch (error) {
        reject(asError(error));
      }
    });
  }

  #settleAck(id: number, error: Error | undefined): void {
    const pending = this.#acks.get(id);
    if (pending === undefined) return;
    this.#acks.delete(id);
    clearTimeout(pending.timer);
    if (error === undefined) pending.resolve();
    else pending.reject(error);
  }

  /** Listens only while subscribed: an idle bus does not keep the IPC channel referenced. */
  #updateListening(): void {
    const wanted = this.#handlers.size > 0 || this.#requests.size > 0;
    if (wanted === this.#listening) return;
    this.#listening = wanted;
    if (wanted) this.#channel.listen(this.#listener);
    else this.#channel.unlisten(this.#listener);
  }
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
