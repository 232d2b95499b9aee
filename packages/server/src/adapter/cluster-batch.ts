// Batches on the wire: the messages one node publishes to one channel within one tick travel as
// ONE bus message `{ v, uid, nsp, type: 14, data: [bytes, …] }`, each item a complete encoded
// message (cluster-message.ts). Pure: no I/O. cluster-publish-queue.ts decides when to batch.
import {
  CLUSTER_PROTOCOL_VERSION,
  checkMessage,
  type DecodeResult,
  type DropReason,
  decodeEnvelope,
  encodeEnvelope,
  type RawEnvelope,
} from "./cluster-message.js";

/** The batch's type number: switchyard's own, after socket.io-adapter's 1–13. */
export const BATCH_TYPE = 14;

/** Bounds of one batch, applied when building one and when receiving one. */
export interface BatchLimits {
  /** Messages per batch; 1 turns batching off. */
  maxMessages: number;
  /** Bytes of the whole batch message. */
  maxBytes: number;
}

/** 64 messages and 256 KiB: one tick's burst, well below NATS's 1 MB default `max_payload`. */
export const BATCH_DEFAULTS: Readonly<BatchLimits> = { maxMessages: 64, maxBytes: 256 * 1024 };

/** Worst-case msgpack header of one item (bin 32). */
export const BATCH_ITEM_OVERHEAD = 5;

/** Encodes `payloads` (encoded messages of node `uid` in namespace `nsp`) as one batch. */
export function encodeBatch(uid: string, nsp: string, payloads: Uint8Array[]): Uint8Array {
  return encodeEnvelope({
    v: CLUSTER_PROTOCOL_VERSION,
    uid,
    nsp,
    type: BATCH_TYPE,
    data: payloads,
  });
}

/** The bytes of a batch envelope around its items (array header at its largest, array 32). */
export function batchOverhead(uid: string, nsp: string): number {
  return encodeBatch(uid, nsp, []).byteLength + 4;
}

/** The items of a received batch, or why the whole batch is dropped. */
export type BatchResult = { ok: true; items: unknown[] } | { ok: false; reason: DropReason };

/**
 * Checks a received batch as a whole: its size and item count within `limits`, and a
 * non-empty array of items. The items are checked one by one with {@link decodeBatchItem}.
 */
export function readBatch(
  envelope: RawEnvelope,
  byteLength: number,
  limits: BatchLimits,
): BatchResult {
  if (byteLength > limits.maxBytes) return { ok: false, reason: "batch-limit" };
  const items = envelope.data;
  if (!Array.isArray(items) || items.length === 0) return { ok: false, reason: "bad-data" };
  if (items.length > limits.maxMessages) return { ok: false, reason: "batch-limit" };
  return { ok: true, items };
}

/**
 * Decodes one item of `batch` exactly as a message received alone, and also refuses a batch
 * inside a batch and an item whose sender or namespace differs from the batch's.
 */
export function decodeBatchItem(
  item: unknown,
  batch: Pick<RawEnvelope, "uid" | "nsp">,
): DecodeResult {
  if (!(item instanceof Uint8Array)) return { ok: false, reason: "bad-data" };
  const result = decodeEnvelope(item);
  if (!result.ok) return result;
  const envelope = result.envelope;
  if (envelope.type === BATCH_TYPE) return { ok: false, reason: "nested-batch" };
  if (envelope.uid !== batch.uid || envelope.nsp !== batch.nsp) {
    return { ok: false, reason: "bad-data" };
  }
  return checkMessage(envelope);
}
