import type { Packet } from "@switchyard/protocol";
import { Encoder, PacketType } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import type { AdapterNamespace, AdapterSocket, EncodedWriteOptions } from "./adapter.js";
import { Adapter } from "./in-memory.js";

interface FakeSocket extends AdapterSocket {
  writes: Array<{ encoded: readonly unknown[]; options: EncodedWriteOptions }>;
}

function setup(ids: string[]) {
  let encodes = 0;
  const encoder = new Encoder();
  const sockets = new Map<string, FakeSocket>();
  const nsp: AdapterNamespace = {
    name: "/",
    sockets,
    encoder: {
      encode: (packet: Packet) => {
        encodes++;
        return encoder.encode(packet);
      },
    },
    recovery: undefined,
    nextAckId: (() => {
      let id = 0;
      return () => id++;
    })(),
    onServerSideEmit: () => undefined,
  };
  const adapter = new Adapter(nsp);
  for (const id of ids) {
    const socket: FakeSocket = {
      id,
      handshake: {} as AdapterSocket["handshake"],
      rooms: new Set(),
      data: undefined,
      writes: [],
      writeEncoded(encoded, options) {
        this.writes.push({ encoded, options });
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
  return { adapter, sockets, encodes: () => encodes };
}

const event = (data: unknown[]): Packet => ({ type: PacketType.EVENT, nsp: "/", data });

describe("in-memory adapter", () => {
  it("keeps rooms and sids in step and drops empty rooms", () => {
    const { adapter } = setup(["a", "b"]);
    void adapter.addAll("a", new Set(["r"]));
    void adapter.addAll("b", new Set(["r"]));
    expect(adapter.rooms.get("r")).toEqual(new Set(["a", "b"]));
    expect(adapter.socketRooms("a")).toEqual(new Set(["a", "r"]));
    void adapter.del("a", "r");
    adapter.delAll("b");
    expect(adapter.rooms.has("r")).toBe(false);
    expect(adapter.sids.has("b")).toBe(false);
    expect(adapter.socketRooms("a")).toEqual(new Set(["a"]));
  });

  it("encodes a broadcast once and hands the same chunks to every target", () => {
    const { adapter, sockets, encodes } = setup(["a", "b", "c"]);
    adapter.broadcast(event(["hi"]), { rooms: new Set(), flags: { compress: true } });
    expect(encodes()).toBe(1);
    const chunks = [...sockets.values()].map((s) => s.writes[0]?.encoded);
    expect(chunks[0]).toEqual(['2["hi"]']);
    expect(chunks[1]).toBe(chunks[0]);
    expect(chunks[2]).toBe(chunks[0]);
    expect(sockets.get("a")?.writes[0]?.options).toEqual({ volatile: undefined, compress: true });
  });

  it("targets the union of rooms minus the except rooms, each socket once", () => {
    const { adapter, sockets } = setup(["a", "b", "c"]);
    void adapter.addAll("a", new Set(["x", "y"]));
    void adapter.addAll("b", new Set(["y", "z"]));
    adapter.broadcast(event(["m"]), { rooms: new Set(["x", "y"]), except: new Set(["z"]) });
    expect([...sockets.values()].map((s) => s.writes.length)).toEqual([1, 0, 0]);
  });

  it("reports the client count and registers the ack on every target", () => {
    const { adapter, sockets } = setup(["a", "b"]);
    const registered: string[] = [];
    for (const s of sockets.values())
      s.registerBroadcastAck = (id) => registered.push(`${s.id}:${id}`);
    let count = -1;
    adapter.broadcastWithAck(
      event(["q"]),
      { rooms: new Set() },
      (n) => {
        count = n;
      },
      () => undefined,
    );
    expect(count).toBe(2);
    expect(registered).toEqual(["a:0", "b:0"]);
    expect(sockets.get("a")?.writes[0]?.encoded).toEqual(['20["q"]']);
  });

  it("tells each target when the broadcast stops waiting for its answer", () => {
    const { adapter, sockets } = setup(["a"]);
    const deadlines: Array<number | undefined> = [];
    for (const s of sockets.values())
      s.registerBroadcastAck = (_id, _ack, expiresAt) => deadlines.push(expiresAt);
    const before = Date.now();
    adapter.broadcastWithAck(
      event(["q"]),
      { rooms: new Set(), flags: { timeout: 5000 } },
      () => undefined,
      () => undefined,
    );
    expect(deadlines[0]).toBeGreaterThanOrEqual(before + 5000);
    expect(deadlines[0]).toBeLessThanOrEqual(Date.now() + 5000);
  });

  it("answers sockets(), serverCount() and fetchSockets() for this node", async () => {
    const { adapter } = setup(["a", "b"]);
    void adapter.addAll("a", new Set(["r"]));
    expect(await adapter.sockets(new Set(["r"]))).toEqual(new Set(["a"]));
    expect(await adapter.sockets(new Set())).toEqual(new Set(["a", "b"]));
    expect(await adapter.serverCount()).toBe(1);
    expect(
      (await adapter.fetchSockets({ rooms: new Set(), except: new Set(["r"]) })).map((s) => s.id),
    ).toEqual(["b"]);
  });

  it("makes targeted sockets join and leave rooms", () => {
    const { adapter } = setup(["a", "b"]);
    adapter.addSockets({ rooms: new Set(["a"]) }, ["j1", "j2"]);
    expect(adapter.socketRooms("a")).toEqual(new Set(["a", "j1", "j2"]));
    adapter.delSockets({ rooms: new Set() }, ["j1"]);
    expect(adapter.rooms.has("j1")).toBe(false);
  });

  it("acks a server-side emit with no responses on a single node", async () => {
    const { adapter } = setup([]);
    const result = await new Promise((resolve) =>
      adapter.serverSideEmit([
        "ev",
        (err: unknown, responses: unknown) => resolve([err, responses]),
      ]),
    );
    expect(result).toEqual([null, []]);
  });
});
