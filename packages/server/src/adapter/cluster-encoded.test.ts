// The encoded broadcast form between nodes (wire-packet.ts): when a node sends it, what a
// receiver writes, and what it refuses.
import { encode } from "@msgpack/msgpack";
import { Encoder, type Packet, PacketType } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import type { AdapterNamespace, AdapterSocket } from "./adapter.js";
import { ClusterAdapter } from "./cluster-adapter.js";
import { BATCH_TYPE } from "./cluster-batch.js";
import type { ClusterTarget } from "./cluster-bus.js";
import {
  CLUSTER_PROTOCOL_VERSION,
  decodeEnvelope,
  MessageType,
  NodeFeature,
} from "./cluster-message.js";
import type { ClusterAdapterOptions } from "./cluster-options.js";

/** What the tests read of a published envelope. */
interface Published {
  type: number;
  f?: number;
  data: { packet?: { data?: unknown }; e?: unknown[] };
}

class RecordingAdapter extends ClusterAdapter {
  readonly published: Array<{ target: ClusterTarget; payload: Uint8Array }> = [];

  protected doPublish(target: ClusterTarget, payload: Uint8Array): Promise<void> {
    this.published.push({ target, payload });
    return Promise.resolve();
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

  /** The envelopes published so far, batches opened. */
  envelopes(): Published[] {
    return this.published.flatMap(({ payload }) => {
      const outer = decodeEnvelope(payload);
      if (!outer.ok) throw new Error(outer.reason);
      if (outer.envelope.type !== BATCH_TYPE) return [outer.envelope as unknown as Published];
      return (outer.envelope.data as Uint8Array[]).map((item) => {
        const inner = decodeEnvelope(item);
        if (!inner.ok) throw new Error(inner.reason);
        return inner.envelope as unknown as Published;
      });
    });
  }
}

const encoder = new Encoder();

/** One node with the default parser's encoder and sockets that record the chunks written. */
function node(
  setup: {
    nsp?: string;
    rooms?: Record<string, string[]>;
    options?: ClusterAdapterOptions;
    parser?: "default" | "custom";
  } = {},
) {
  const written = new Map<string, unknown[][]>();
  const sockets = new Map<string, AdapterSocket>();
  const nsp: AdapterNamespace = {
    name: setup.nsp ?? "/",
    sockets,
    encoder: {
      encode: (packet: Packet) => encoder.encode(packet),
      defaultWireFormat: setup.parser !== "custom",
    },
    recovery: undefined,
    nextAckId: () => 1,
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
      writeEncoded: (encoded) => written.get(id)?.push([...encoded]),
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

const peer = "fedcba9876543210";
const opts = { rooms: ["r"], except: [], flags: {} };
const endOfTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const event = (...data: unknown[]): Packet => ({ type: PacketType.EVENT, nsp: "/", data });
const inRoom = (room: string) => ({ rooms: new Set([room]) });

function heartbeat(uid: string, f?: number): Uint8Array {
  return encode({ v: CLUSTER_PROTOCOL_VERSION, uid, nsp: "/", type: MessageType.HEARTBEAT, f });
}

function encodedBroadcast(e: unknown, nsp = "/", from = peer): Uint8Array {
  return encode({
    v: CLUSTER_PROTOCOL_VERSION,
    uid: from,
    nsp,
    type: MessageType.BROADCAST,
    data: { opts, e },
  });
}

describe("sending the encoded form", () => {
  it("announces the feature in its heartbeats, unless turned off or the parser is custom", async () => {
    const cases = [
      [{}, NodeFeature.ENCODED_BROADCAST],
      [{ options: { encodedBroadcasts: false } }, undefined],
      [{ parser: "custom" as const }, undefined],
    ] as const;
    for (const [setup, f] of cases) {
      const { adapter } = node(setup);
      adapter.announce();
      await endOfTick();
      const [announcement] = adapter.envelopes();
      expect(announcement?.type).toBe(MessageType.INITIAL_HEARTBEAT);
      expect(announcement?.f).toBe(f);
    }
  });

  it("publishes the chunks the local sockets get, once every peer announced the feature", async () => {
    const { adapter, writes } = node({ rooms: { s1: ["r"] } });
    adapter.receive(heartbeat(peer));
    adapter.broadcast(event("old", 1), inRoom("r"));
    adapter.receive(heartbeat(peer, NodeFeature.ENCODED_BROADCAST));
    adapter.broadcast(event("new", Buffer.from([1, 2])), inRoom("r"));
    await endOfTick();
    const broadcasts = adapter.envelopes().filter((e) => e.type === MessageType.BROADCAST);
    const [old, encoded] = broadcasts.map((e) => e.data);
    expect(old?.packet).toMatchObject({ data: ["old", 1] });
    expect(old?.e).toBeUndefined();
    expect(encoded?.packet).toBeUndefined();
    const chunks = encoded?.e ?? [];
    expect(chunks[0]).toBe('51-["new",{"_placeholder":true,"num":0}]');
    expect(Buffer.from(chunks[1] as Uint8Array)).toEqual(Buffer.from([1, 2]));
    expect(writes("s1")[1]?.[0]).toBe(chunks[0]);
    expect(adapter.counters.publishedEncoded).toBe(1);
  });

  it("carries an ArrayBuffer attachment as its bytes (msgpack would make it an empty map)", async () => {
    const { adapter, writes } = node({ rooms: { s1: ["r"] } });
    adapter.broadcast(event("ab", new Uint8Array([5, 6]).buffer), inRoom("r"));
    await endOfTick();
    const [message] = adapter.envelopes();
    const chunks = message?.data.e ?? [];
    expect(chunks[1]).toBeInstanceOf(Uint8Array);
    expect([...(chunks[1] as Uint8Array)]).toEqual([5, 6]);
    expect([...((writes("s1")[0]?.[1] as Uint8Array | undefined) ?? [])]).toEqual([5, 6]);
  });

  it("keeps the object form for a broadcast with ack, a custom parser and a packet over the limit", async () => {
    const ack = node();
    ack.adapter.broadcastWithAck(
      event("a"),
      inRoom("r"),
      () => undefined,
      () => undefined,
    );
    const custom = node({ parser: "custom" });
    custom.adapter.broadcast(event("c"), inRoom("r"));
    const large = node({ options: { maxEncodedPacketLength: 10 } });
    large.adapter.broadcast(event("l", "x".repeat(20)), inRoom("r"));
    large.adapter.broadcast(event("s"), inRoom("r"));
    await endOfTick();
    for (const { adapter } of [ack, custom]) {
      const [message] = adapter.envelopes().filter((e) => e.type === MessageType.BROADCAST);
      expect(message?.data.packet).toBeDefined();
      expect(adapter.counters.publishedEncoded).toBe(0);
    }
    const forms = large.adapter
      .envelopes()
      .map((e) => (e.data.e === undefined ? "object" : "encoded"));
    expect(forms).toEqual(["object", "encoded"]);
  });
});

describe("receiving the encoded form", () => {
  it("writes the peer's chunks as they are to the targeted sockets", () => {
    const { adapter, writes } = node({ rooms: { s1: ["r"], s2: ["other"] } });
    adapter.receive(encodedBroadcast(['2["hi",{"a":[1,2]}]']));
    expect(writes("s1")).toEqual([['2["hi",{"a":[1,2]}]']]);
    expect(writes("s2")).toEqual([]);
    expect(adapter.counters.receivedEncoded).toBe(1);
  });

  it.each([
    ["a frame separator smuggled in", ['2["hi"]\x1e4{"x":1}']],
    ["another namespace's packet", ['2/admin,["hi"]']],
    ["not JSON", ["2[hi]"]],
    ["a text over the limit", [`2["${"x".repeat(2000)}"]`]],
    ["a wrong attachment count", ['52-["e",{"_placeholder":true,"num":0}]', new Uint8Array([1])]],
    ["text chunks only", ['2["a"]', '2["b"]']],
    ["no chunk", []],
  ])("drops %s and counts it, writing nothing", (_what, e) => {
    const { adapter, writes } = node({
      rooms: { s1: ["r"] },
      options: { maxEncodedPacketLength: 1000 },
    });
    adapter.receive(encodedBroadcast(e));
    expect(writes("s1")).toEqual([]);
    expect(adapter.counters.droppedByReason["bad-packet"]).toBe(1);
    expect(adapter.counters.received).toBe(0);
  });

  it("drops a message with both forms, or an encoded one with an ack id, as bad data", () => {
    const { adapter, writes } = node({ rooms: { s1: ["r"] } });
    const both = encode({
      v: CLUSTER_PROTOCOL_VERSION,
      uid: peer,
      nsp: "/",
      type: MessageType.BROADCAST,
      data: { opts, e: ['2["a"]'], packet: { type: 2, nsp: "/", data: ["a"] } },
    });
    const acked = encode({
      v: CLUSTER_PROTOCOL_VERSION,
      uid: peer,
      nsp: "/",
      type: MessageType.BROADCAST,
      data: { opts, e: ['2["a"]'], requestId: "x" },
    });
    adapter.receive(both);
    adapter.receive(acked);
    expect(writes("s1")).toEqual([]);
    expect(adapter.counters.droppedByReason["bad-data"]).toBe(2);
  });

  it("checks the text against its own namespace", () => {
    const { adapter, writes } = node({ nsp: "/chat", rooms: { s1: ["r"] } });
    adapter.receive(encodedBroadcast(['2["main"]'], "/chat"));
    adapter.receive(encodedBroadcast(['2/chat,["chat"]'], "/chat"));
    expect(writes("s1")).toEqual([['2/chat,["chat"]']]);
    expect(adapter.counters.droppedByReason["bad-packet"]).toBe(1);
  });
});
