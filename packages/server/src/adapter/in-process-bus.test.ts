import type { Packet } from "@switchyard/protocol";
import { Encoder, PacketType } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import type { AdapterNamespace, AdapterSocket } from "./adapter.js";
import type { AdapterError } from "./cluster-errors.js";
import { InProcessAdapter, InProcessBus, topicOf } from "./in-process-bus.js";

interface FakeSocket extends AdapterSocket {
  writes: number;
}

/** One node: a fake namespace with `ids` sockets and a cluster adapter on `bus`. */
async function node(bus: InProcessBus, ids: string[]) {
  const encoder = new Encoder();
  const sockets = new Map<string, FakeSocket>();
  const nsp: AdapterNamespace = {
    name: "/",
    sockets,
    encoder: { encode: (packet: Packet) => encoder.encode(packet) },
    recovery: undefined,
    nextAckId: (() => {
      let id = 0;
      return () => id++;
    })(),
    onServerSideEmit: () => undefined,
  };
  const adapter = new InProcessAdapter(nsp, bus, { heartbeatInterval: 60_000 });
  await adapter.init();
  for (const id of ids) {
    const socket: FakeSocket = {
      id,
      handshake: {} as AdapterSocket["handshake"],
      rooms: new Set(),
      data: undefined,
      writes: 0,
      writeEncoded() {
        this.writes++;
      },
      notifyOutgoingListeners: () => undefined,
      registerBroadcastAck: () => undefined,
      join: (rooms) => adapter.addAll(id, new Set(Array.isArray(rooms) ? rooms : [rooms])),
      leave: (room) => adapter.del(id, room),
      disconnect: () => undefined,
    };
    sockets.set(id, socket);
    void adapter.addAll(id, new Set([id]));
  }
  return { adapter, sockets };
}

/** Lets the bus deliver what is in flight (each hop is one macrotask). */
async function drain(hops = 4): Promise<void> {
  for (let i = 0; i < hops; i++) await new Promise((resolve) => setImmediate(resolve));
}

const event = (data: unknown[]): Packet => ({ type: PacketType.EVENT, nsp: "/", data });

describe("cluster adapter on the in-process bus", () => {
  it("delivers locally before the bus answers, even when the bus is down", async () => {
    const bus = new InProcessBus();
    const { adapter, sockets } = await node(bus, ["s1"]);
    const errors: AdapterError[] = [];
    adapter.on("error", (err: AdapterError) => errors.push(err));
    bus.setOnline(false);
    adapter.broadcast(event(["e"]), { rooms: new Set() });
    expect(sockets.get("s1")?.writes).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(adapter.counters.publishFailed).toBe(1);
    expect(errors.map((e) => e.code)).toEqual(["SY_ERR_ADAPTER_PUBLISH_FAILED"]);
    bus.setOnline(true);
    await adapter.close();
  });

  it("never publishes a local broadcast", async () => {
    const bus = new InProcessBus();
    const { adapter, sockets } = await node(bus, ["s1"]);
    const published = adapter.counters.published;
    adapter.broadcast(event(["e"]), { rooms: new Set(), flags: { local: true } });
    expect(sockets.get("s1")?.writes).toBe(1);
    expect(adapter.counters.published).toBe(published);
    await adapter.close();
  });

  it("subscribes to a room's topic while the room exists and routes single-room broadcasts there", async () => {
    const bus = new InProcessBus();
    const a = await node(bus, ["a1"]);
    const b = await node(bus, ["b1"]);
    const roomTopic = topicOf("/", { kind: "room", room: "r" });
    expect(bus.subscribers(roomTopic)).toBe(0);
    await a.adapter.addAll("a1", new Set(["r"]));
    expect(bus.subscribers(roomTopic)).toBe(1);
    const before = { ...bus.deliveries };
    b.adapter.broadcast(event(["e"]), { rooms: new Set(["r"]) });
    // The publish leaves at the end of the tick, then the bus takes one macrotask.
    await drain();
    expect(a.sockets.get("a1")?.writes).toBe(1);
    expect(bus.deliveries.room - before.room).toBe(1);
    expect(bus.deliveries.all).toBe(before.all);
    await a.adapter.del("a1", "r");
    expect(bus.subscribers(roomTopic)).toBe(0);
    await Promise.all([a.adapter.close(), b.adapter.close()]);
  });

  it("splits a multi-room broadcast into room messages that reach a socket in both rooms once", async () => {
    const bus = new InProcessBus();
    const a = await node(bus, ["a1", "a2"]);
    const b = await node(bus, []);
    await a.adapter.addAll("a1", new Set(["r1", "r2"]));
    await a.adapter.addAll("a2", new Set(["r2"]));
    const before = { ...bus.deliveries };
    b.adapter.broadcast(event(["e"]), { rooms: new Set(["r1", "r2", "r3"]), except: new Set() });
    await drain();
    expect(a.sockets.get("a1")?.writes).toBe(1);
    expect(a.sockets.get("a2")?.writes).toBe(1);
    // r1 and r2 have one subscriber each (node a), r3 none; nothing went to everyone.
    expect(bus.deliveries.room - before.room).toBe(2);
    expect(bus.deliveries.all).toBe(before.all);
    await Promise.all([a.adapter.close(), b.adapter.close()]);
  });

  it("answers a serverSideEmit ack at once with no responses when alone", async () => {
    const bus = new InProcessBus();
    const { adapter } = await node(bus, []);
    const result = await new Promise<unknown[]>((resolve) =>
      adapter.serverSideEmit([
        "ev",
        (err: unknown, responses: unknown[]) => resolve([err, responses]),
      ]),
    );
    expect(result).toEqual([null, []]);
    await adapter.close();
  });

  it("reports data it cannot encode and still delivers locally", async () => {
    const bus = new InProcessBus();
    const { adapter, sockets } = await node(bus, ["s1"]);
    const errors: AdapterError[] = [];
    adapter.on("error", (err: AdapterError) => errors.push(err));
    adapter.broadcast(event(["e", () => undefined]), { rooms: new Set() });
    expect(sockets.get("s1")?.writes).toBe(1);
    expect(errors.map((e) => e.code)).toEqual(["SY_ERR_ADAPTER_ENCODE_FAILED"]);
    await adapter.close();
  });

  it("says ADAPTER_CLOSE and leaves every topic on close", async () => {
    const bus = new InProcessBus();
    const a = await node(bus, ["a1"]);
    const b = await node(bus, []);
    await drain();
    expect(await b.adapter.serverCount()).toBe(2);
    expect(await a.adapter.serverCount()).toBe(2);
    await a.adapter.close();
    await a.adapter.close();
    await drain();
    expect(await b.adapter.serverCount()).toBe(1);
    expect(bus.subscribers(topicOf("/", { kind: "room", room: "a1" }))).toBe(0);
    expect(bus.subscribers(topicOf("/", { kind: "all" }))).toBe(1);
    await b.adapter.close();
  });
});
