import type { Packet } from "@switchyard/protocol";
import { Encoder, PacketType } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import type { AdapterNamespace } from "./adapter.js";
import { SessionAwareAdapter } from "./session-aware.js";

function setup(maxDisconnectionDuration = 60_000): SessionAwareAdapter {
  const nsp: AdapterNamespace = {
    name: "/",
    sockets: new Map(),
    encoder: new Encoder(),
    recovery: { maxDisconnectionDuration, skipMiddlewares: true },
    nextAckId: () => 0,
    onServerSideEmit: () => undefined,
  };
  return new SessionAwareAdapter(nsp);
}

const event = (data: unknown[], id?: number): Packet =>
  id === undefined
    ? { type: PacketType.EVENT, nsp: "/", data }
    : { type: PacketType.EVENT, nsp: "/", data, id };

function offsetOf(packet: Packet): string {
  const data = packet.data as unknown[];
  return data[data.length - 1] as string;
}

describe("session-aware adapter", () => {
  it("appends an offset to stored events only", () => {
    const adapter = setup();
    const stored = event(["a"]);
    adapter.broadcast(stored, { rooms: new Set() });
    expect(stored.data).toHaveLength(2);
    const acked = event(["b"], 3);
    adapter.broadcast(acked, { rooms: new Set() });
    expect(acked.data).toEqual(["b"]);
    const volatile = event(["c"]);
    adapter.broadcast(volatile, { rooms: new Set(), flags: { volatile: true } });
    expect(volatile.data).toEqual(["c"]);
  });

  it("restores a session with the packets after the offset that reached its rooms", async () => {
    const adapter = setup();
    const first = event(["first"]);
    adapter.broadcast(first, { rooms: new Set() });
    await adapter.persistSession({ sid: "s", pid: "p", rooms: ["s", "r"], data: { x: 1 } });
    adapter.broadcast(event(["all"]), { rooms: new Set() });
    adapter.broadcast(event(["room"]), { rooms: new Set(["r"]) });
    adapter.broadcast(event(["other"]), { rooms: new Set(["o"]) });
    adapter.broadcast(event(["excluded"]), { rooms: new Set(), except: new Set(["r"]) });
    const session = await adapter.restoreSession("p", offsetOf(first));
    expect(session?.sid).toBe("s");
    expect(session?.data).toEqual({ x: 1 });
    expect(session?.missedPackets.map((d) => d[0])).toEqual(["all", "room"]);
    void adapter.close();
  });

  it("refuses an unknown pid, an unknown offset and an expired session", async () => {
    const adapter = setup(0);
    const first = event(["first"]);
    adapter.broadcast(first, { rooms: new Set() });
    expect(await adapter.restoreSession("nope", offsetOf(first))).toBeNull();
    await adapter.persistSession({ sid: "s", pid: "p", rooms: [], data: null });
    expect(await adapter.restoreSession("p", "bad-offset")).toBeNull();
    await new Promise((r) => setTimeout(r, 2));
    expect(await adapter.restoreSession("p", offsetOf(first))).toBeNull();
    void adapter.close();
  });

  it("sweeps expired sessions and packets", async () => {
    const adapter = setup(1000);
    const first = event(["first"]);
    adapter.broadcast(first, { rooms: new Set() });
    await adapter.persistSession({ sid: "s", pid: "p", rooms: [], data: null });
    adapter.sweep(Date.now() + 5000);
    expect(await adapter.restoreSession("p", offsetOf(first))).toBeNull();
    void adapter.close();
  });
});
