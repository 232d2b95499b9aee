// The publishing half of a cluster adapter's bus: node id, encoding, fire-and-forget publishes
// (counted, batched per tick, cluster-publish-queue.ts), ordered appends to the history (recovery),
// failures reported. ClusterBusAdapter (cluster-bus.ts) adds subscriptions and receipt.

import { clusterLog } from "../log.js";
import { emitIsolated } from "../typed-events.js";
import type { AdapterNamespace, Room } from "./adapter.js";
import { BATCH_DEFAULTS, type BatchLimits, batchOverhead, encodeBatch } from "./cluster-batch.js";
import { AdapterError, AdapterErrorCode } from "./cluster-errors.js";
import { logPublish } from "./cluster-log.js";
import {
  CLUSTER_PROTOCOL_VERSION,
  type ClusterMessage,
  type DropReason,
  encodeClusterMessage,
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
  /** Broadcasts published in their encoded form (see wire-packet.ts; one per route). */
  publishedEncoded: number;
  /** Valid messages received from peers (a batch counts its valid messages). */
  received: number;
  /** Batches received from peers and accepted (their items are then checked one by one). */
  batchesReceived: number;
  /** Valid broadcasts received in their encoded form (counted in `received` too). */
  receivedEncoded: number;
  /** Valid messages received from peers, by message type number. */
  receivedByType: Record<number, number>;
  /** Messages dropped on receipt (malformed, wrong version, unknown type, bad data, batch). */
  dropped: number;
  droppedByReason: Record<DropReason, number>;
}

type Distribute<M> = M extends ClusterMessage ? Omit<M, "v" | "uid" | "nsp"> : never;
/** A message before the envelope fields (version, node id, namespace) are filled in. */
export type OutgoingMessage = Distribute<ClusterMessage>;

/** Publishing for every cluster adapter; subclasses implement {@link doPublish}. */
export abstract class ClusterPublisher extends Adapter {
  /** This adapter's node id (16 hex characters). */
  readonly uid: string = randomId();
  readonly counters: ClusterCounters = {
    published: 0,
    publishFailed: 0,
    batchesPublished: 0,
    publishedEncoded: 0,
    received: 0,
    receivedEncoded: 0,
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
      "bad-packet": 0,
    },
  };
  protected closed = false;
  /** Bounds of the batches this node builds and accepts. */
  protected readonly batchLimits: BatchLimits;
  readonly #onPublishFailed = (cause: unknown): void => this.#publishFailed(cause, 1);
  /** The batch envelope's bytes (computed on first use: it depends on the namespace name). */
  #batchOverhead = -1;
  readonly #sink: RunSink = {
    publishRun: (target, payloads, ordered) => this.#publishRun(target, payloads, ordered),
  };
  /** Appends not yet stored (see {@link settleAppends}). */
  readonly #appending: Set<Promise<void>> = new Set();

  constructor(nsp: AdapterNamespace, batchLimits: BatchLimits = BATCH_DEFAULTS) {
    super(nsp);
    this.batchLimits = { ...batchLimits };
  }

  /** Publishes an encoded message to `target`. */
  protected abstract doPublish(target: ClusterTarget, payload: Uint8Array): Promise<void>;

  /** Called on every publish (the heartbeat timer is re-armed there). */
  protected onPublished(): void {}

  /**
   * Appends a payload to the history of `target` (recovery across nodes). Buses with a history
   * override it; the others never get ordered publishes.
   */
  protected doAppend(_target: ClusterTarget, _payload: Uint8Array): Promise<void> {
    return Promise.reject(new Error("this bus keeps no history"));
  }

  /**
   * Fire-and-forget publish at the end of the tick (cluster-publish-queue.ts), batched with the
   * messages published to `target` right before it. Failures are counted and reported.
   */
  protected publish(target: ClusterTarget, message: OutgoingMessage): void {
    if (clusterLog.enabled) logPublish(this.uid, this.nsp.name, message.type, target);
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
    const limits = this.batchLimits;
    if (limits.maxMessages === 1) {
      // Batching off: publish now, behind what other adapters queued.
      flushPublishQueue();
      this.#publishRun(target, [payload], ordered);
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
    return this.#doPublishSafely(target, payload, this.#onPublishFailed);
  }

  /** Publishes one run of the queue: a lone message as is, several as one batch. */
  #publishRun(target: ClusterTarget, payloads: Uint8Array[], ordered: boolean): void {
    const count = payloads.length;
    let payload = payloads[0] as Uint8Array;
    if (count > 1) {
      this.counters.batchesPublished++;
      payload = encodeBatch(this.uid, this.nsp.name, payloads);
    }
    const onFailed =
      count === 1 ? this.#onPublishFailed : (cause: unknown) => this.#publishFailed(cause, count);
    if (!ordered) {
      void this.#doPublishSafely(target, payload, onFailed);
      return;
    }
    const appending = this.#doPublishSafely(
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

  #doPublishSafely(
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

  #publishFailed(cause: unknown, messages: number): void {
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
}
