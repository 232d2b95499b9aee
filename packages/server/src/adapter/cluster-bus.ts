// The bus half of a cluster adapter: node id, encoding and publishing (fire-and-forget, counted,
// batched per tick), subscriptions to the node's channels (all, own node, one per room), and
// receipt with validation. ClusterAdapter (cluster-adapter.ts) adds the message semantics on top.

import type { ItemPosition } from "../recovery/cluster-offset.js";
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
import type { DeliveredPosition } from "./cluster-history.js";
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

/** The first byte of a recovery fence payload: no msgpack envelope starts with it. */
export const FENCE_MARKER = 0x00;

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
  readonly #onRoomDeleted = (room: Room): void => {
    if (!this.#pins.has(room)) this.track({ kind: "room", room }, false);
  };
  readonly #onPublishFailed = (cause: unknown): void => this.publishFailed(cause, 1);
  /** Bounds of the batches this node builds and accepts. */
  readonly #batchLimits: BatchLimits;
  /** The batch envelope's bytes (computed on first use: it depends on the namespace name). */
  #batchOverhead = -1;
  readonly #sink: RunSink = {
    publishRun: (target, payloads, ordered) => this.publishRun(target, payloads, ordered),
  };
  #delivering: ItemPosition | undefined;
  /** Appends not yet stored (see {@link settleAppends}). */
  readonly #appending: Set<Promise<void>> = new Set();
  /** Rooms kept subscribed by a restore, with how many restores keep each. */
  readonly #pins: Map<Room, number> = new Map();

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
  /**
   * `position`: that of an ordered message (history append or fence); `target`: the subscription
   * it came on, when the bus tells (needed to catch up after a lost message, see
   * ClusterHistoryAdapter).
   */
  protected onPayload(
    payload: Uint8Array,
    position?: DeliveredPosition,
    _target?: ClusterTarget,
  ): void {
    if (payload[0] === FENCE_MARKER) {
      // A recovery fence (cluster-recovery.ts) comes with its position; without one, it is not.
      if (position === undefined) this.drop("undecodable");
      else if (!this.closed) this.onFence(payload, position);
      return;
    }
    // Redis echoes a node's publications to its own subscriptions: drop them undecoded.
    if (hasSenderPrefix(payload, this.#ownPrefix)) return;
    const result = decodeEnvelope(payload);
    if (!result.ok) {
      this.drop(result.reason);
      return;
    }
    const envelope = result.envelope;
    if (envelope.type !== BATCH_TYPE) {
      if (position !== undefined && envelope.nsp === this.nsp.name && !this.closed) {
        this.onOrdered(position, 0);
      }
      this.deliver(checkMessage(envelope), position, 0);
      return;
    }
    if (envelope.uid === this.uid || envelope.nsp !== this.nsp.name || this.closed) return;
    const batch = readBatch(envelope, payload.byteLength, this.#batchLimits);
    if (!batch.ok) {
      this.drop(batch.reason);
      return;
    }
    this.counters.batchesReceived++;
    for (let index = 0; index < batch.items.length; index++) {
      if (position !== undefined) this.onOrdered(position, index);
      this.deliver(decodeBatchItem(batch.items[index], envelope), position, index);
    }
  }

  /**
   * An item of an ordered (history) entry from another node is about to be delivered; the
   * recovery engine moves its frontier there.
   */
  protected onOrdered(_position: DeliveredPosition, _index: number): void {}

  /** A recovery fence came back (cluster-recovery.ts). */
  protected onFence(_payload: Uint8Array, _position: DeliveredPosition): void {}

  /** A room's channel subscription reached the bus. */
  protected onRoomSubscribed(_room: Room): void {}

  /**
   * Appends a payload to the history of `target` (recovery across nodes). Buses with a history
   * override it; the others never get ordered publishes.
   */
  protected doAppend(_target: ClusterTarget, _payload: Uint8Array): Promise<void> {
    return Promise.reject(new Error("this bus keeps no history"));
  }

  /**
   * The position of the ordered item being delivered (set during {@link onMessage}), undefined
   * for an ordinary message.
   */
  protected get deliveringPosition(): ItemPosition | undefined {
    return this.#delivering;
  }

  private drop(reason: DropReason): void {
    this.counters.dropped++;
    this.counters.droppedByReason[reason]++;
  }

  private deliver(result: DecodeResult, position?: DeliveredPosition, index = 0): void {
    if (!result.ok) {
      this.drop(result.reason);
      return;
    }
    const message = result.message;
    if (message.uid === this.uid || message.nsp !== this.nsp.name || this.closed) return;
    this.counters.received++;
    const byType = this.counters.receivedByType;
    byType[message.type] = (byType[message.type] ?? 0) + 1;
    this.#delivering =
      position === undefined ? undefined : { major: position.major, minor: position.minor, index };
    try {
      this.onMessage(message);
    } catch (err) {
      // A user listener threw while handling the message: rethrow outside the bus handler.
      process.nextTick(() => {
        throw err;
      });
    } finally {
      this.#delivering = undefined;
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

  /**
   * {@link publish} for a message encoded already. `ordered` messages are appended to the history
   * of `target` (recovery across nodes) and reach the other nodes in log order.
   */
  protected publishEncoded(target: ClusterTarget, payload: Uint8Array, ordered = false): void {
    this.counters.published++;
    this.onPublished();
    const limits = this.#batchLimits;
    if (limits.maxMessages === 1) {
      // Batching off: publish now, behind what other adapters queued.
      flushPublishQueue();
      this.publishRun(target, [payload], ordered);
      return;
    }
    if (this.#batchOverhead < 0) this.#batchOverhead = batchOverhead(this.uid, this.nsp.name);
    enqueuePublish(this.#sink, target, payload, limits, this.#batchOverhead, ordered);
  }

  /**
   * Resolves once every recoverable broadcast published so far was stored in the history (or
   * failed): after it, a crash of this node loses none of them (recovery on).
   */
  whenStored(): Promise<void> {
    return this.settleAppends();
  }

  /** Resolves once every ordered message published so far was stored (or failed). */
  protected async settleAppends(): Promise<void> {
    flushPublishQueue();
    while (this.#appending.size > 0) await Promise.allSettled([...this.#appending]);
  }

  /** Keeps the rooms' channels subscribed (even without local members) until unpinned. */
  protected async pinRooms(rooms: readonly Room[]): Promise<void> {
    for (const room of rooms) {
      const count = this.#pins.get(room) ?? 0;
      this.#pins.set(room, count + 1);
      if (count === 0 && !this.rooms.has(room)) this.track({ kind: "room", room }, true);
    }
    await this.whenSubscribed();
  }

  /** Whether a restore keeps `room` subscribed. */
  protected isPinned(room: Room): boolean {
    return this.#pins.has(room);
  }

  /** Releases pins; a room without local members is then unsubscribed. */
  protected unpinRooms(rooms: readonly Room[]): void {
    for (const room of rooms) {
      const count = (this.#pins.get(room) ?? 1) - 1;
      if (count > 0) {
        this.#pins.set(room, count);
        continue;
      }
      this.#pins.delete(room);
      if (!this.rooms.has(room)) this.track({ kind: "room", room }, false);
    }
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
  private publishRun(target: ClusterTarget, payloads: Uint8Array[], ordered: boolean): void {
    const count = payloads.length;
    let payload = payloads[0] as Uint8Array;
    if (count > 1) {
      this.counters.batchesPublished++;
      payload = encodeBatch(this.uid, this.nsp.name, payloads);
    }
    const onFailed =
      count === 1 ? this.#onPublishFailed : (cause: unknown) => this.publishFailed(cause, count);
    if (!ordered) {
      void this.doPublishSafely(target, payload, onFailed);
      return;
    }
    const appending = this.doPublishSafely(
      target,
      payload,
      (cause) => {
        onFailed(cause);
        this.onAppendFailed(target, count);
      },
      true,
    );
    this.#appending.add(appending);
    void appending.finally(() => this.#appending.delete(appending));
  }

  /** `count` messages could not be appended to the history of `target`. */
  protected onAppendFailed(_target: ClusterTarget, _count: number): void {}

  private doPublishSafely(
    target: ClusterTarget,
    payload: Uint8Array,
    onFailed: (cause: unknown) => void,
    ordered = false,
  ): Promise<void> {
    let publishing: Promise<void>;
    try {
      publishing = ordered ? this.doAppend(target, payload) : this.doPublish(target, payload);
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
        if (subscribe && target.kind === "room") this.onRoomSubscribed(target.room);
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
