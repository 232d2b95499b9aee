// The bus half of a cluster adapter: subscriptions to the node's channels (all, own node, one per
// room, rooms pinned by a restore) and receipt with validation, over the publishing half
// (cluster-publisher.ts). ClusterAdapter (cluster-adapter.ts) adds the message semantics on top.

import { clusterLog } from "../log.js";
import type { ItemPosition } from "../recovery/cluster-offset.js";
import type { AdapterNamespace, BroadcastOptions, Room } from "./adapter.js";
import {
  BATCH_DEFAULTS,
  BATCH_TYPE,
  type BatchLimits,
  decodeBatchItem,
  readBatch,
} from "./cluster-batch.js";
import { AdapterError, AdapterErrorCode } from "./cluster-errors.js";
import type { DeliveredPosition } from "./cluster-history.js";
import { logReceive } from "./cluster-log.js";
import {
  type ClusterMessage,
  checkMessage,
  type DecodeResult,
  type DropReason,
  decodeEnvelope,
  hasSenderPrefix,
  MessageType,
  senderPrefix,
} from "./cluster-message.js";
import { ClusterPublisher, type ClusterTarget } from "./cluster-publisher.js";
import { checkWirePacket, WIRE_PACKET_DEFAULTS, type WirePacketLimits } from "./wire-packet.js";

export type { ClusterCounters, ClusterTarget, OutgoingMessage } from "./cluster-publisher.js";

/** The first byte of a recovery fence payload: no msgpack envelope starts with it. */
export const FENCE_MARKER = 0x00;

/** One message of an operation: where it goes and the options it carries. */
export interface Route {
  target: ClusterTarget;
  opts: BroadcastOptions;
}

/** Above this many rooms, one namespace-wide message is cheaper than one per room. */
const MAX_ROOM_ROUTES = 8;

/**
 * Bus plumbing shared by every cluster adapter. Subclasses implement {@link doPublish},
 * {@link doSubscribe} and {@link doUnsubscribe}, and feed received bytes into {@link onPayload}.
 */
export abstract class ClusterBusAdapter extends ClusterPublisher {
  /** This adapter's node id (16 hex characters). */
  /** The envelope bytes that mark this node's own messages (see `onPayload`). */
  readonly #ownPrefix: Uint8Array = senderPrefix(this.uid);
  /** Whether single-room operations use per-room channels. */
  protected readonly roomChannels: boolean;
  readonly #subscriptionOps: Set<Promise<void>> = new Set();
  readonly #subscribed: Map<string, ClusterTarget> = new Map();
  readonly #onRoomCreated = (room: Room): void => this.#track({ kind: "room", room }, true);
  readonly #onRoomDeleted = (room: Room): void => {
    if (!this.#pins.has(room)) this.#track({ kind: "room", room }, false);
  };
  #delivering: ItemPosition | undefined;
  #deliveringTarget: ClusterTarget | undefined;
  /** Rooms kept subscribed by a restore, with how many restores keep each. */
  readonly #pins: Map<Room, number> = new Map();

  /** Bounds of the encoded broadcasts this node sends and accepts (wire-packet.ts). */
  protected readonly wirePacketLimits: WirePacketLimits;

  constructor(
    nsp: AdapterNamespace,
    roomChannels: boolean,
    batchLimits: BatchLimits = BATCH_DEFAULTS,
    wirePacketLimits: WirePacketLimits = WIRE_PACKET_DEFAULTS,
  ) {
    super(nsp, batchLimits);
    this.roomChannels = roomChannels;
    this.wirePacketLimits = { ...wirePacketLimits };
  }

  /** Starts receiving the messages sent to `target`. */
  protected abstract doSubscribe(target: ClusterTarget): Promise<void>;
  /** Stops receiving the messages sent to `target`. */
  protected abstract doUnsubscribe(target: ClusterTarget): Promise<void>;
  /** Handles one validated message from another node of this namespace. */
  protected abstract onMessage(message: ClusterMessage): void;

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
    this.#track({ kind: "all" }, true);
    this.#track({ kind: "node", uid: this.uid }, true);
    for (const room of this.rooms.keys()) this.#track({ kind: "room", room }, true);
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
    target?: ClusterTarget,
  ): void {
    if (payload[0] === FENCE_MARKER) {
      // A recovery fence (cluster-recovery.ts) comes with its position; without one, it is not.
      if (position === undefined) this.#drop("undecodable");
      else if (!this.closed) this.onFence(payload, position);
      return;
    }
    // Redis echoes a node's publications to its own subscriptions: drop them undecoded.
    if (hasSenderPrefix(payload, this.#ownPrefix)) return;
    const result = decodeEnvelope(payload);
    if (!result.ok) {
      this.#drop(result.reason);
      return;
    }
    const envelope = result.envelope;
    if (envelope.type !== BATCH_TYPE) {
      if (position !== undefined && envelope.nsp === this.nsp.name && !this.closed) {
        this.onOrdered(position, 0);
      }
      this.#deliver(checkMessage(envelope), position, 0, target);
      return;
    }
    if (envelope.uid === this.uid || envelope.nsp !== this.nsp.name || this.closed) return;
    const batch = readBatch(envelope, payload.byteLength, this.batchLimits);
    if (!batch.ok) {
      this.#drop(batch.reason);
      return;
    }
    this.counters.batchesReceived++;
    for (let index = 0; index < batch.items.length; index++) {
      if (position !== undefined) this.onOrdered(position, index);
      this.#deliver(decodeBatchItem(batch.items[index], envelope), position, index, target);
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
   * The position of the ordered item being delivered (set during {@link onMessage}), undefined
   * for an ordinary message.
   */
  protected get deliveringPosition(): ItemPosition | undefined {
    return this.#delivering;
  }

  /**
   * The log (channel) the message being delivered came on, when the bus tells: "all", a room's
   * name prefixed with "room:", or a node's uid prefixed with "node:"; undefined otherwise.
   */
  protected get deliveringLog(): string | undefined {
    const target = this.#deliveringTarget;
    return target === undefined ? undefined : logKeyOf(target);
  }

  #drop(reason: DropReason): void {
    this.counters.dropped++;
    this.counters.droppedByReason[reason]++;
  }

  #deliver(
    result: DecodeResult,
    position?: DeliveredPosition,
    index = 0,
    target?: ClusterTarget,
  ): void {
    if (!result.ok) {
      this.#drop(result.reason);
      return;
    }
    const message = result.message;
    if (message.uid === this.uid || message.nsp !== this.nsp.name || this.closed) return;
    if (message.type === MessageType.BROADCAST && message.data.e !== undefined) {
      // A peer's bytes reach clients as they are: only a well-formed event of this namespace.
      if (checkWirePacket(message.data.e, this.nsp.name, this.wirePacketLimits) !== undefined) {
        this.#drop("bad-packet");
        return;
      }
      this.counters.receivedEncoded++;
    }
    this.counters.received++;
    const byType = this.counters.receivedByType;
    byType[message.type] = (byType[message.type] ?? 0) + 1;
    if (clusterLog.enabled) logReceive(this.uid, this.nsp.name, message.type, message.uid);
    this.#delivering =
      position === undefined ? undefined : { major: position.major, minor: position.minor, index };
    this.#deliveringTarget = target;
    try {
      this.onMessage(message);
    } catch (err) {
      // A user listener threw while handling the message: rethrow outside the bus handler.
      process.nextTick(() => {
        throw err;
      });
    } finally {
      this.#delivering = undefined;
      this.#deliveringTarget = undefined;
    }
  }

  /** Keeps the rooms' channels subscribed (even without local members) until unpinned. */
  protected async pinRooms(rooms: readonly Room[]): Promise<void> {
    for (const room of rooms) {
      const count = this.#pins.get(room) ?? 0;
      this.#pins.set(room, count + 1);
      if (count === 0 && !this.rooms.has(room)) this.#track({ kind: "room", room }, true);
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
      if (!this.rooms.has(room)) this.#track({ kind: "room", room }, false);
    }
  }

  #track(target: ClusterTarget, subscribe: boolean): void {
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

/** A target's log key (see {@link ClusterBusAdapter.deliveringLog}). */
export function logKeyOf(target: ClusterTarget): string {
  if (target.kind === "all") return "all";
  return target.kind === "room" ? `room:${target.room}` : `node:${target.uid}`;
}
