import { encode } from "@msgpack/msgpack";
import type { Packet } from "@switchyard/protocol";
import { PacketType } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import type { AdapterNamespace, AdapterSocket } from "./adapter.js";
import { ClusterAdapter } from "./cluster-adapter.js";
import { BATCH_TYPE, encodeBatch } from "./cluster-batch.js";
import type { ClusterTarget } from "./cluster-bus.js";
import {
  CLUSTER_PROTOCOL_VERSION,
  type ClusterMessage,
  decodeClusterMessage,
  decodeEnvelope,
  encodeClusterMessage,
  MessageType,
} from "./cluster-message.js";
import type { ClusterAdapterOptions } from "./cluster-options.js";

/** A cluster adapter whose bus records what it publishes; tests feed it bytes by hand. */
class RecordingAdapter extends ClusterAdapter {
  readonly published: Array<{ target: ClusterTarget; payload: Uint8Array }> = [];
  fail = false;

  protected doPublish(target: ClusterTarget, payload: Uint8Array): Promise<void> {
    this.published.push({ target, payload });
    return this.fail ? Promise.reject(new Error("bus down")) : Promise.resolve();
  }

  protected doSubscribe(): Promise<void> {
    return Promise.resolve();
  }

  protected doUnsubscribe(): Promise<void> {
    return Promise.resolve();
  }

  receive(payload: Uint8Array): void {
    this.onPayload(payload);
  }
}

/** One node: a fake namespace whose sockets record the event names written to them. */
function fakeNode(setup: { rooms?: Record<string, string[]>; options?: ClusterAdapterOptions }) {
  const written = new Map<string, string[]>();
  const sockets = new Map<string, AdapterSocket>();
  const nsp: AdapterNamespace = {
    name: "/",
    sockets,
    encoder: { encode: (packet: Packet) => [String((packet.data as unknown[])[0])] },
    recovery: undefined,
    nextAckId: () => 0,
    onServerSideEmit: () => undefined,
  };
  const adapter = new RecordingAdapter(nsp, { heartbeatInterval: 60_000, ...setup.options });
  for (const [id, rooms] of Object.entries(setup.rooms ?? {})) {
    written.set(id, []);
    sockets.set(id, {
      id,
      handshake: {} as AdapterSocket["handshake"],
      rooms: new Set(),
      data: undefined,
      writeEncoded: (encoded) => written.get(id)?.push(String(encoded[0])),
      notifyOutgoingListeners: () => undefined,
      registerBroadcastAck: () => undefined,
      join: () => undefined,
      leave: () => undefined,
      disconnect: () => undefined,
    });
    void adapter.addAll(id, new Set([id, ...rooms]));
  }
  return { adapter, writes: (id: string) => written.get(id) ?? [] };
}

const uid = "0123456789abcdef";
const envelope = { v: CLUSTER_PROTOCOL_VERSION, uid, nsp: "/" };
const opts = { rooms: ["r"], except: [], flags: {} };
const broadcast = (name: string): ClusterMessage => ({
  ...envelope,
  type: MessageType.BROADCAST,
  data: { opts, packet: { type: 2, nsp: "/", data: [name] } },
});
/** A batch envelope with any data, as a hostile peer could send it. */
const rawBatch = (data: unknown, from = uid): Uint8Array =>
  encode({ v: CLUSTER_PROTOCOL_VERSION, uid: from, nsp: "/", type: BATCH_TYPE, data });
const event = (name: string): Packet => ({ type: PacketType.EVENT, nsp: "/", data: [name] });
const inRoom = (...rooms: string[]) => ({ rooms: new Set(rooms) });
const endOfTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What one published bus message carries: its messages' event names or types, in order. */
function contents(payload: Uint8Array): { batch: boolean; items: string[] } {
  const outer = decodeEnvelope(payload);
  if (!outer.ok) throw new Error(outer.reason);
  const batch = outer.envelope.type === BATCH_TYPE;
  const payloads = batch ? (outer.envelope.data as Uint8Array[]) : [payload];
  const items = payloads.map((bytes) => {
    const result = decodeClusterMessage(bytes);
    if (!result.ok) throw new Error(result.reason);
    const message = result.message;
    if (message.type !== MessageType.BROADCAST) return `type ${message.type}`;
    return String((message.data.packet?.data as unknown[] | undefined)?.[0]);
  });
  return { batch, items };
}

describe("publishing in batches", () => {
  it("sends the broadcasts of one tick to one room as one batch, after local delivery", async () => {
    const node = fakeNode({ rooms: { s1: ["r"] } });
    const { adapter } = node;
    for (const name of ["1", "2", "3"]) adapter.broadcast(event(name), inRoom("r"));
    expect(node.writes("s1")).toEqual(["1", "2", "3"]);
    expect(adapter.published).toEqual([]);
    expect(adapter.counters.published).toBe(3);
    await endOfTick();
    expect(adapter.published.map((p) => contents(p.payload))).toEqual([
      { batch: true, items: ["1", "2", "3"] },
    ]);
    expect(adapter.published[0]?.target).toEqual({ kind: "room", room: "r" });
    expect(adapter.counters.batchesPublished).toBe(1);
  });

  it("sends a lone message as a plain message, before the event loop turns", async () => {
    const { adapter } = fakeNode({});
    adapter.broadcast(event("alone"), inRoom("r"));
    await Promise.resolve();
    expect(adapter.published.map((p) => contents(p.payload))).toEqual([
      { batch: false, items: ["alone"] },
    ]);
    expect(adapter.counters.batchesPublished).toBe(0);
  });

  it("keeps the publish order across targets: only consecutive messages to one target join", async () => {
    const { adapter } = fakeNode({});
    adapter.broadcast(event("a1"), inRoom("a"));
    adapter.broadcast(event("a2"), inRoom("a"));
    adapter.broadcast(event("b1"), inRoom("b"));
    adapter.broadcast(event("a3"), inRoom("a"));
    adapter.serverSideEmit(["ping"]);
    adapter.broadcast(event("all"), inRoom());
    await endOfTick();
    expect(adapter.published.map((p) => [p.target, contents(p.payload).items])).toEqual([
      [{ kind: "room", room: "a" }, ["a1", "a2"]],
      [{ kind: "room", room: "b" }, ["b1"]],
      [{ kind: "room", room: "a" }, ["a3"]],
      [{ kind: "all" }, [`type ${MessageType.SERVER_SIDE_EMIT}`, "all"]],
    ]);
  });

  it("splits a burst at maxBatchMessages and maxBatchBytes; a large message goes alone", async () => {
    const byCount = fakeNode({ options: { maxBatchMessages: 3 } }).adapter;
    for (let i = 0; i < 7; i++) byCount.broadcast(event(`${i}`), inRoom("r"));
    const bySize = fakeNode({ options: { maxBatchBytes: 1000 } }).adapter;
    bySize.broadcast(event("x".repeat(400)), inRoom("r"));
    bySize.broadcast(event("y".repeat(400)), inRoom("r"));
    bySize.broadcast(event("z".repeat(2000)), inRoom("r"));
    await endOfTick();
    expect(byCount.published.map((p) => contents(p.payload).items.length)).toEqual([3, 3, 1]);
    expect(bySize.published.map((p) => contents(p.payload).batch)).toEqual([false, false, false]);
    expect(bySize.published.every((p) => p.payload.byteLength > 400)).toBe(true);
  });

  it("publishes at once, unbatched, with maxBatchMessages 1", () => {
    const { adapter } = fakeNode({ options: { maxBatchMessages: 1 } });
    adapter.broadcast(event("1"), inRoom("r"));
    adapter.broadcast(event("2"), inRoom("r"));
    expect(adapter.published.map((p) => contents(p.payload))).toEqual([
      { batch: false, items: ["1"] },
      { batch: false, items: ["2"] },
    ]);
  });

  it("flushes the queue before ADAPTER_CLOSE, which does not wait for the tick", async () => {
    const { adapter } = fakeNode({});
    await adapter.init();
    await endOfTick();
    adapter.published.length = 0;
    adapter.broadcast(event("1"), inRoom());
    adapter.broadcast(event("2"), inRoom());
    const closing = adapter.close();
    expect(adapter.published.map((p) => contents(p.payload).items)).toEqual([
      ["1", "2"],
      [`type ${MessageType.ADAPTER_CLOSE}`],
    ]);
    await closing;
  });

  it("counts every message of a failed batch and reports one error", async () => {
    const { adapter } = fakeNode({});
    const errors: Error[] = [];
    adapter.on("error", (err: Error) => errors.push(err));
    adapter.fail = true;
    for (const name of ["1", "2", "3"]) adapter.broadcast(event(name), inRoom("r"));
    await endOfTick();
    expect(adapter.counters.publishFailed).toBe(3);
    expect(errors.map((e) => e.message)).toEqual([
      "publish of a batch of 3 messages to the bus failed",
    ]);
  });

  it("refuses batch limits that are not integers ≥ 1", () => {
    for (const options of [
      { maxBatchMessages: 0 },
      { maxBatchBytes: 1.5 },
      { maxBatchBytes: -1 },
    ]) {
      expect(() => fakeNode({ options })).toThrow(/must be an integer/);
    }
  });

  it("round-trips a batch between two nodes: the peer delivers every message in order", async () => {
    const sender = fakeNode({}).adapter;
    const peer = fakeNode({ rooms: { s1: ["r"] } });
    for (let i = 0; i < 20; i++) sender.broadcast(event(`${i}`), inRoom("r"));
    await endOfTick();
    for (const { payload } of sender.published) peer.adapter.receive(payload);
    expect(peer.writes("s1")).toEqual(Array.from({ length: 20 }, (_, i) => `${i}`));
    expect(peer.adapter.counters.receivedByType[MessageType.BROADCAST]).toBe(20);
  });
});

describe("receiving batches", () => {
  it("delivers the valid items in order and counts every malformed one", () => {
    const node = fakeNode({ rooms: { s1: ["r"] } });
    const items: unknown[] = [
      encodeClusterMessage(broadcast("1")),
      new Uint8Array([0xc1]),
      encodeClusterMessage(broadcast("2")),
      encodeBatch(uid, "/", [encodeClusterMessage(broadcast("nested"))]),
      "junk",
      encodeClusterMessage(broadcast("3")),
    ];
    node.adapter.receive(rawBatch(items));
    expect(node.writes("s1")).toEqual(["1", "2", "3"]);
    const counters = node.adapter.counters;
    expect(counters.batchesReceived).toBe(1);
    expect(counters.received).toBe(3);
    expect(counters.dropped).toBe(3);
    expect(counters.droppedByReason).toMatchObject({
      undecodable: 1,
      "nested-batch": 1,
      "bad-data": 1,
    });
  });

  it("drops an oversize batch without delivering any of it", () => {
    const node = fakeNode({ rooms: { s1: ["r"] }, options: { maxBatchMessages: 2 } });
    const items = ["1", "2", "3"].map((name) => encodeClusterMessage(broadcast(name)));
    node.adapter.receive(rawBatch(items));
    expect(node.writes("s1")).toEqual([]);
    expect(node.adapter.counters.droppedByReason["batch-limit"]).toBe(1);
    expect(node.adapter.counters.batchesReceived).toBe(0);
  });

  it("ignores its own batches and batches of another namespace undecoded", () => {
    const node = fakeNode({ rooms: { s1: ["r"] } });
    const own = node.adapter.uid;
    const mine = { ...broadcast("mine"), uid: own };
    node.adapter.receive(rawBatch([encodeClusterMessage(mine)], own));
    const other = encode({ ...envelope, nsp: "/x", type: BATCH_TYPE, data: "junk" });
    node.adapter.receive(other);
    expect(node.writes("s1")).toEqual([]);
    expect(node.adapter.counters.dropped).toBe(0);
  });
});
