// The bus half of a cluster adapter: node id, encoding and publishing (fire-and-forget, counted,
// batched per tick), subscriptions to the node's channels (all, own node, one per room), and
// receipt with validation. ClusterAdapter (cluster-adapter.ts) adds the message semantics on top.
import { emitIsolated } from "../typed-events.js";
import type { AdapterNamespace, BroadcastOptions, Room } from "./adapter.js";
import {
  BATCH_DEFAULTS,
  BATCH_TYPE,
  type BatchLimits,
  batchOverhead,
  decodeBatchItem,
  encodeBatch,
  readBatch,
} from "./cluster-batch.js";
import { AdapterError, AdapterErrorCode } from "./cluster-errors.js";
import {
  CLUSTER_PROTOCOL_VERSION,
  type ClusterMessage,
  checkMessage,
  type DecodeResult,
  type DropReason,
  decodeEnvelope,
  encodeClusterMessage,
  hasSenderPrefix,
  senderPrefix,
} from "./cluster-message.js";
import { enqueuePublish, flushPublishQueue, type RunSink } from "./cluster-publish-queue.js";
import { randomId } from "./cluster-requests.js";
import { Adapter } from "./in-memory.js";

/** Where a message goes: every node, the nodes holding one room, or one node (responses). */
export type ClusterTarget =
  | { kind: "all" }
  | { kind: "room"; room: Room }
  | { kind: "node"; uid: string };

/** Counters of one adapter's bus traffic (read them in metrics and tests). */
export interface ClusterCounters {
  /** Messages published (a batch counts its messages). */
  published: number;
  /** Published messages the bus refused (a failed batch counts its messages). */
  publishFailed: number;
  /** Bus messages that carried a batch of several messages (see cluster-batch.ts). */
  batchesPublished: number;
  /** Valid messages received from peers (a batch counts its valid messages). */
  received: number;
  /** Batches received from peers and accepted (their items are then checked one by one). */
  batchesReceived: number;
  /** Valid messages received from peers, by message type number. */
  receivedByType: Record<number, number>;
  /** Messages dropped on receipt (malformed, wrong version, unknown type, bad data, batch). */
  dropped: number;
  droppedByReason: Record<DropReason, number>;
}

/** One message of an operation: where it goes and the options it carries. */
export interface Route {
  target: ClusterTarget;
  opts: BroadcastOptions;
}

/** Above this many rooms, one namespace-wide message is cheaper than one per room. */
const MAX_ROOM_ROUTES = 8;

type Distribute<M> = M extends ClusterMessage ? Omit<M, "v" | "uid" | "nsp"> : never;
/** A message before the envelope fields (version, node id, namespace) are filled in. */
export type OutgoingMessage = Distribute<ClusterMessage>;

/**
 * Bus plumbing shared by every cluster adapter. Subclasses implement {@link doPublish},
 * {@link doSubscribe} and {@link doUnsubscribe}, and feed received bytes into {@link onPayload}.
 */
export abstract class ClusterBusAdapter extends Adapter {
  /** This adapter's node id (16 hex characters). */
  readonly uid: string = randomId();
  /** The envelope bytes that mark this node's own messages (see `onPayload`). */
  readonly #ownPrefix: Uint8Array = senderPrefix(this.uid);
  readonly counters: ClusterCounters = {
    published: 0,
    publishFailed: 0,
    batchesPublished: 0,
    received: 0,
    batchesReceived: 0,
    receivedByType: {},
    dropped: 0,
    droppedByReason: {
      undecodable: 0,
      "not-an-envelope": 0,
      version: 0,
      "unknown-type": 0,
      "bad-data": 0,
      "batch-limit": 0,
      "nested-batch": 0,
    },
  };
  /** Whether single-room operations use per-room channels. */
  protected readonly roomChannels: boolean;
  protected closed = false;
  readonly #subscriptionOps: Set<Promise<void>> = new Set();
  readonly #subscribed: Map<string, ClusterTarget> = new Map();
  readonly #onRoomCreated = (room: Room): void => this.track({ kind: "room", room }, true);
  readonly #onRoomDeleted = (room: Room): void => this.track({ kind: "room", room }, false);
  readonly #onPublishFailed = (cause: unknown): void => this.publishFailed(cause, 1);
  /** Bounds of the batches this node builds and accepts. */
  readonly #batchLimits: BatchLimits;
  /** The batch envelope's bytes (computed on first use: it depends on the namespace name). */
  #batchOverhead = -1;
  readonly #sink: RunSink = {
    publishRun: (target, payloads) => this.publishRun(target, payloads),
  };

  constructor(
    nsp: AdapterNamespace,
    roomChannels: boolean,
    batchLimits: BatchLimits = BATCH_DEFAULTS,
  ) {
    super(nsp);
    this.roomChannels = roomChannels;
    this.#batchLimits = { ...batchLimits };
  }

  /** Publishes an encoded message to `target`. */
  protected abstract doPublish(target: ClusterTarget, payload: Uint8Array): Promise<void>;
  /** Starts receiving the messages sent to `target`. */
  protected abstract doSubscribe(target: ClusterTarget): Promise<void>;
  /** Stops receiving the messages sent to `target`. */
  protected abstract doUnsubscribe(target: ClusterTarget): Promise<void>;
  /** Handles one validated message from another node of this namespace. */
  protected abstract onMessage(message: ClusterMessage): void;
  /** Called on every publish (the heartbeat timer is re-armed there). */
  protected onPublished(): void {}

  /** Resolves when every pending subscribe/unsubscribe reached the bus (or failed). */
  async whenSubscribed(): Promise<void> {
    while (this.#subscriptionOps.size > 0) await Promise.allSettled([...this.#subscriptionOps]);
  }

  /** Subscribes to all, own node and (with room channels) every room, now and on create-room. */
  protected subscribeAll(): Promise<void> {
    this.off("create-room", this.#onRoomCreated);
    this.off("delete-room", this.#onRoomDeleted);
    this.on("create-room", this.#onRoomCreated);
    this.on("delete-room", this.#onRoomDeleted);
    this.track({ kind: "all" }, true);
    this.track({ kind: "node", uid: this.uid }, true);
    for (const room of this.rooms.keys()) this.track({ kind: "room", room }, true);
    return this.whenSubscribed();
  }

  /** Stops following rooms and unsubscribes from every channel. */
  protected async unsubscribeAll(): Promise<void> {
    this.off("create-room", this.#onRoomCreated);
    this.off("delete-room", this.#onRoomDeleted);
    const targets = [...this.#subscribed.values()];
    this.#subscribed.clear();
    await Promise.allSettled(targets.map((target) => this.doUnsubscribe(target)));
  }

  /**
   * Where an operation targeting `opts` goes. With room channels, a broadcast to k rooms
   * (1 ≤ k ≤ 8) becomes k room messages, the i-th excluding the rooms before it, so a socket in
   * several rooms is still reached once and only nodes with members hear about it. Everything
   * else (no room, more rooms, room channels off) goes to every node.
   */
  protected routesFor(opts: BroadcastOptions): Route[] {
    if (!this.roomChannels || opts.rooms.size === 0 || opts.rooms.size > MAX_ROOM_ROUTES) {
      return [{ target: { kind: "all" }, opts }];
    }
    const except = new Set(opts.except ?? []);
    const routes: Route[] = [];
    for (const room of opts.rooms) {
      routes.push({
        target: { kind: "room", room },
        opts: { ...opts, rooms: new Set([room]), except: new Set(except) },
      });
      except.add(room);
    }
    return routes;
  }

  /**
   * Feeds bytes received from the bus: one message, or a batch whose items are then delivered
   * in order. Malformed input is dropped and counted (a bad item alone), never thrown.
   */
  protected onPayload(payload: Uint8Array): void {
    // Redis echoes a node's publications to its own subscriptions: drop them undecoded.
    if (hasSenderPrefix(payload, this.#ownPrefix)) return;
    const result = decodeEnvelope(payload);
    if (!result.ok) {
      this.drop(result.reason);
      return;
    }
    const envelope = result.envelope;
    if (envelope.type !== BATCH_TYPE) {
      this.deliver(checkMessage(envelope));
      return;
    }
    if (envelope.uid === this.uid || envelope.nsp !== this.nsp.name || this.closed) return;
    const batch = readBatch(envelope, payload.byteLength, this.#batchLimits);
    if (!batch.ok) {
      this.drop(batch.reason);
      return;
    }
    this.counters.batchesReceived++;
    for (const item of batch.items) this.deliver(decodeBatchItem(item, envelope));
  }

  private drop(reason: DropReason): void {
    this.counters.dropped++;
    this.counters.droppedByReason[reason]++;
  }

  private deliver(result: DecodeResult): void {
    if (!result.ok) {
      this.drop(result.reason);
      return;
    }
    const message = result.message;
    if (message.uid === this.uid || message.nsp !== this.nsp.name || this.closed) return;
    this.counters.received++;
    const byType = this.counters.receivedByType;
    byType[message.type] = (byType[message.type] ?? 0) + 1;
    try {
      this.onMessage(message);
    } catch (err) {
      // A user listener threw while handling the message: rethrow outside the bus handler.
      process.nextTick(() => {
        throw err;
      });
    }
  }

  /**
   * Fire-and-forget publish at the end of the tick (cluster-publish-queue.ts), batched with the
   * messages published to `target` right before it. Failures are counted and reported.
   */
  protected publish(target: ClusterTarget, message: OutgoingMessage): void {
    const payload = this.encode(message);
    if (payload !== undefined) this.publishEncoded(target, payload);
  }

  /** {@link publish} for a message encoded already. */
  protected publishEncoded(target: ClusterTarget, payload: Uint8Array): void {
    this.counters.published++;
    this.onPublished();
    const limits = this.#batchLimits;
    if (limits.maxMessages === 1) {
      // Batching off: publish now, behind what other adapters queued.
      flushPublishQueue();
      void this.doPublishSafely(target, payload, this.#onPublishFailed);
      return;
    }
    if (this.#batchOverhead < 0) this.#batchOverhead = batchOverhead(this.uid, this.nsp.name);
    enqueuePublish(this.#sink, target, payload, limits, this.#batchOverhead);
  }

  /**
   * Publishes now, after everything queued (order is kept), and resolves when the bus took it
   * (or failed: never rejects). For messages that must not wait, such as ADAPTER_CLOSE.
   */
  protected send(target: ClusterTarget, message: OutgoingMessage): Promise<void> {
    const payload = this.encode(message);
    return payload === undefined ? Promise.resolve() : this.sendEncoded(target, payload);
  }

  /** Publishes and resolves when the bus took it, or after `ms` (a broker may be down). */
  protected async sendWithin(
    target: ClusterTarget,
    message: OutgoingMessage,
    ms: number,
  ): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    await Promise.race([this.send(target, message), bound]);
    clearTimeout(timer);
  }

  /** Encodes a message with this node's envelope; undefined (reported) when it cannot. */
  protected encode(message: OutgoingMessage): Uint8Array | undefined {
    const full = {
      v: CLUSTER_PROTOCOL_VERSION,
      uid: this.uid,
      nsp: this.nsp.name,
      ...message,
    } as ClusterMessage;
    try {
      return encodeClusterMessage(full);
    } catch (cause) {
      const message = "cannot encode a cluster message";
      this.reportError(new AdapterError(AdapterErrorCode.ENCODE_FAILED, message, { cause }));
      return undefined;
    }
  }

  /** {@link send} for a message encoded already; never rejects. */
  protected sendEncoded(target: ClusterTarget, payload: Uint8Array): Promise<void> {
    flushPublishQueue();
    this.counters.published++;
    this.onPublished();
    return this.doPublishSafely(target, payload, this.#onPublishFailed);
  }

  /** Publishes one run of the queue: a lone message as is, several as one batch. */
  private publishRun(target: ClusterTarget, payloads: Uint8Array[]): void {
    const count = payloads.length;
    if (count === 1) {
      void this.doPublishSafely(target, payloads[0] as Uint8Array, this.#onPublishFailed);
      return;
    }
    this.counters.batchesPublished++;
    const batch = encodeBatch(this.uid, this.nsp.name, payloads);
    void this.doPublishSafely(target, batch, (cause) => this.publishFailed(cause, count));
  }

  private doPublishSafely(
    target: ClusterTarget,
    payload: Uint8Array,
    onFailed: (cause: unknown) => void,
  ): Promise<void> {
    let publishing: Promise<void>;
    try {
      publishing = this.doPublish(target, payload);
    } catch (err) {
      publishing = Promise.reject(err);
    }
    return publishing.catch(onFailed);
  }

  private publishFailed(cause: unknown, messages: number): void {
    this.counters.publishFailed += messages;
    const what = messages === 1 ? "publish" : `publish of a batch of ${messages} messages`;
    const error = new AdapterError(AdapterErrorCode.PUBLISH_FAILED, `${what} to the bus failed`, {
      cause,
    });
    this.reportError(error);
  }

  /** Emits 'error' when someone listens; the counters record bus failures either way. */
  protected reportError(error: Error): void {
    if (this.listenerCount("error") > 0) emitIsolated(this, "error", [error]);
  }

  private track(target: ClusterTarget, subscribe: boolean): void {
    if (this.closed || (target.kind === "room" && !this.roomChannels)) return;
    const key = targetKey(target);
    if (subscribe) this.#subscribed.set(key, target);
    else this.#subscribed.delete(key);
    const op = (async () => {
      try {
        await (subscribe ? this.doSubscribe(target) : this.doUnsubscribe(target));
      } catch (cause) {
        const message = `${subscribe ? "subscribe" : "unsubscribe"} ${key} failed`;
        this.reportError(new AdapterError(AdapterErrorCode.SUBSCRIBE_FAILED, message, { cause }));
      }
    })();
    this.#subscriptionOps.add(op);
    void op.finally(() => this.#subscriptionOps.delete(op));
  }
}

function targetKey(target: ClusterTarget): string {
  if (target.kind === "all") return "all";
  return target.kind === "room" ? `room:${target.room}` : `node:${target.uid}`;
}
