import { PacketType } from "@switchyard/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Manager } from "./manager.js";

// A Manager that never opens a connection: packets are fed through its "packet" event.
function offlineSocket(opts: { ackTimeout?: number } = {}) {
  const manager = new Manager("http://localhost:1", { autoConnect: false });
  manager._reconnecting = true; // connect() then subscribes without opening an engine
  const socket = manager.socket("/", opts);
  socket.connect();
  const feed = (packet: { type: number; nsp?: string; data?: unknown; id?: number }): void => {
    manager.emitReserved("packet", { nsp: "/", ...packet } as never);
  };
  return { manager, socket, feed };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Socket buffering", () => {
  it("emits events received before CONNECT ahead of the connect event", () => {
    const { socket, feed } = offlineSocket();
    const order: string[] = [];
    socket.on("news", (text: string) => order.push(text));
    socket.on("connect", () => order.push("connect"));
    feed({ type: PacketType.EVENT, data: ["news", "missed"] });
    expect(socket.receiveBuffer).toHaveLength(1);
    feed({ type: PacketType.CONNECT, data: { sid: "abc" } });
    expect(order).toEqual(["missed", "connect"]);
    expect(socket.id).toBe("abc");
    expect(socket.receiveBuffer).toHaveLength(0);
  });

  it("buffers emits while disconnected and flushes them before connect fires", () => {
    const { socket, feed } = offlineSocket();
    const outgoing: unknown[] = [];
    socket.onAnyOutgoing((...args: unknown[]) => outgoing.push(args));
    socket.emit("a", 1);
    socket.emit("b", 2);
    expect(socket.sendBuffer.map((p) => p.data)).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
    let flushedBeforeConnect = false;
    socket.on("connect", () => (flushedBeforeConnect = socket.sendBuffer.length === 0));
    feed({ type: PacketType.CONNECT, data: { sid: "x" } });
    expect(flushedBeforeConnect).toBe(true);
    expect(outgoing).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
  });

  it("drops a buffered packet whose ack timed out", () => {
    const { socket } = offlineSocket({ ackTimeout: 100 });
    const ack = vi.fn();
    socket.emit("slow", ack);
    expect(socket.sendBuffer).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(socket.sendBuffer).toHaveLength(0);
    expect(ack.mock.calls[0]?.[0]).toHaveProperty("message", "operation has timed out");
  });

  it("throws on reserved event names", () => {
    const { socket } = offlineSocket();
    expect(() => socket.emit("connect")).toThrow('"connect" is a reserved event name');
    expect(() => socket.emit("disconnecting")).toThrow(/reserved/);
  });
});

describe("Socket connection outcomes", () => {
  it("reports CONNECT_ERROR with its data and stops being active", () => {
    const { socket, feed } = offlineSocket();
    const errors: Array<Error & { data?: unknown }> = [];
    socket.on("connect_error", (err) => errors.push(err));
    feed({ type: PacketType.CONNECT_ERROR, data: { message: "nope", data: { code: 7 } } });
    expect(errors[0]?.message).toBe("nope");
    expect(errors[0]?.data).toEqual({ code: 7 });
    expect(socket.active).toBe(false);
  });

  it("reports a CONNECT without sid as a v2 server", () => {
    const { socket, feed } = offlineSocket();
    const errors: Error[] = [];
    socket.on("connect_error", (err) => errors.push(err));
    feed({ type: PacketType.CONNECT });
    expect(errors[0]?.message).toMatch(/Socket.IO server in v2.x/);
  });

  it("sets recovered only when the server returns the same pid and tracks the last offset", () => {
    const { socket, feed, manager } = offlineSocket();
    feed({ type: PacketType.CONNECT, data: { sid: "s1", pid: "p1" } });
    expect(socket.recovered).toBe(false);
    feed({ type: PacketType.EVENT, data: ["news", "x", "offset-1"] });
    manager.emitReserved("close", "transport close");
    expect(socket.connected).toBe(false);
    feed({ type: PacketType.CONNECT, data: { sid: "s1", pid: "p1" } });
    expect(socket.recovered).toBe(true);
    feed({ type: PacketType.CONNECT, data: { sid: "s2", pid: "p2" } });
    expect(socket.recovered).toBe(false);
  });

  it("answers an incoming ack request once", () => {
    const { socket, feed, manager } = offlineSocket();
    const writes: unknown[] = [];
    manager._packet = (packet) => {
      writes.push(packet);
    };
    socket.on("ask", (ack: (v: number) => void) => {
      ack(1);
      ack(2);
    });
    feed({ type: PacketType.CONNECT, data: { sid: "s" } });
    feed({ type: PacketType.EVENT, id: 5, data: ["ask"] });
    expect(writes).toEqual([{ type: PacketType.ACK, nsp: "/", id: 5, data: [1] }]);
  });
});

describe("Socket acks at disconnection", () => {
  it("rejects a pending emitWithAck without timeout when the server disconnects the socket", async () => {
    const { socket, feed } = offlineSocket();
    feed({ type: PacketType.CONNECT, data: { sid: "x" } });
    const pending = socket.emitWithAck("question");
    const plain = vi.fn();
    socket.emit("question", plain);
    feed({ type: PacketType.DISCONNECT });
    await expect(pending).rejects.toThrow("socket has been disconnected");
    expect(plain).not.toHaveBeenCalled();
  });

  it("resolves an emitWithAck without timeout with the ack's first argument", async () => {
    const { socket, feed } = offlineSocket();
    feed({ type: PacketType.CONNECT, data: { sid: "x" } });
    const pending = socket.emitWithAck("question");
    feed({ type: PacketType.ACK, id: 0, data: [42, "ignored"] });
    await expect(pending).resolves.toBe(42);
  });
});
