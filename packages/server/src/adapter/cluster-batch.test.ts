import { encode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import {
  BATCH_DEFAULTS,
  BATCH_TYPE,
  batchOverhead,
  decodeBatchItem,
  encodeBatch,
  readBatch,
} from "./cluster-batch.js";
import {
  CLUSTER_PROTOCOL_VERSION,
  type ClusterMessage,
  decodeEnvelope,
  encodeClusterMessage,
  MessageType,
  type RawEnvelope,
} from "./cluster-message.js";

const uid = "0123456789abcdef";
const envelope = { v: CLUSTER_PROTOCOL_VERSION, uid, nsp: "/" };
const opts = { rooms: ["r"], except: [], flags: {} };
const broadcast = (name: string): ClusterMessage => ({
  ...envelope,
  type: MessageType.BROADCAST,
  data: { opts, packet: { type: 2, nsp: "/", data: [name] } },
});
const heartbeat: ClusterMessage = { ...envelope, type: MessageType.HEARTBEAT, data: undefined };

function outer(bytes: Uint8Array): RawEnvelope {
  const result = decodeEnvelope(bytes);
  if (!result.ok) throw new Error(`not an envelope: ${result.reason}`);
  return result.envelope;
}

/** A batch envelope with any data, as a hostile peer could send it. */
const rawBatch = (data: unknown, from = uid): Uint8Array =>
  encode({ v: CLUSTER_PROTOCOL_VERSION, uid: from, nsp: "/", type: BATCH_TYPE, data });

describe("cluster batches on the wire", () => {
  it("carries complete messages that decode in order, each as if received alone", () => {
    const messages = [broadcast("a"), heartbeat, broadcast("b")];
    const bytes = encodeBatch(uid, "/", messages.map(encodeClusterMessage));
    const batch = outer(bytes);
    expect(batch.type).toBe(BATCH_TYPE);
    const read = readBatch(batch, bytes.byteLength, BATCH_DEFAULTS);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.items.map((item) => decodeBatchItem(item, batch))).toEqual(
      messages.map((message) => ({ ok: true, message })),
    );
  });

  it("estimates the envelope around the items at or above its real size", () => {
    const payloads = Array.from({ length: 300 }, () => encodeClusterMessage(heartbeat));
    const items = payloads.reduce((sum, p) => sum + p.byteLength + 5, 0);
    expect(encodeBatch(uid, "/", payloads).byteLength).toBeLessThanOrEqual(
      batchOverhead(uid, "/") + items,
    );
  });

  it("drops a batch whose data is not a non-empty array", () => {
    for (const data of [undefined, null, 7, "x", { 0: new Uint8Array() }, []]) {
      const bytes = rawBatch(data);
      expect(readBatch(outer(bytes), bytes.byteLength, BATCH_DEFAULTS)).toEqual({
        ok: false,
        reason: "bad-data",
      });
    }
  });

  it("drops a whole batch over the message count or the byte limit", () => {
    const item = encodeClusterMessage(heartbeat);
    const limits = { maxMessages: 4, maxBytes: 10_000 };
    const five = rawBatch(Array.from({ length: 5 }, () => item));
    expect(readBatch(outer(five), five.byteLength, limits)).toEqual({
      ok: false,
      reason: "batch-limit",
    });
    const four = rawBatch(Array.from({ length: 4 }, () => item));
    expect(readBatch(outer(four), four.byteLength, limits).ok).toBe(true);
    const big = rawBatch([encodeClusterMessage(broadcast("x".repeat(20_000)))]);
    expect(readBatch(outer(big), big.byteLength, limits)).toEqual({
      ok: false,
      reason: "batch-limit",
    });
  });

  it("refuses a batch inside a batch, foreign items and malformed items, one by one", () => {
    const batch = outer(rawBatch([]));
    const inner = encodeBatch(uid, "/", [encodeClusterMessage(heartbeat)]);
    const cases: Array<[unknown, string]> = [
      [inner, "nested-batch"],
      ["not bytes", "bad-data"],
      [[1, 2], "bad-data"],
      [new Uint8Array([0xc1]), "undecodable"],
      [encode([1, 2, 3]), "not-an-envelope"],
      [encode({ ...heartbeat, v: 2 }), "version"],
      [encode({ ...heartbeat, type: 99 }), "unknown-type"],
      [encode({ ...broadcast("a"), data: { opts } }), "bad-data"],
      [encodeClusterMessage({ ...heartbeat, uid: "someone-else" }), "bad-data"],
      [encodeClusterMessage({ ...heartbeat, nsp: "/other" }), "bad-data"],
    ];
    for (const [item, reason] of cases) {
      expect(decodeBatchItem(item, batch)).toEqual({ ok: false, reason });
    }
  });
});
