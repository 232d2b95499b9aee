// Rooms and broadcasting: join/leave, to/in/except, socket.broadcast, remote operations.

import type { Socket } from "@switchyard/server";
import type { Socket as ClientSocket } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { connected, type Harness, idle, startServer, waitFor } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface Pair {
  socket: Socket;
  client: ClientSocket;
  got: unknown[][];
}

/** Connects n clients; each records every `msg` it receives. */
async function pairs(harness: Harness, n: number): Promise<Pair[]> {
  const result: Pair[] = [];
  for (let i = 0; i < n; i++) {
    const connection = waitFor<[Socket]>(harness.io, "connection");
    const client = harness.client();
    const [socket] = await connection;
    await connected(client);
    const got: unknown[][] = [];
    client.on("msg", (...args: unknown[]) => got.push(args));
    result.push({ socket, client, got });
  }
  return result;
}

/** A round trip on every client: everything sent before it has arrived. */
async function settle(ps: Pair[]): Promise<void> {
  for (const p of ps) {
    await new Promise<void>((resolve) => {
      p.socket.once("sync", (ack: () => void) => {
        ack();
        resolve();
      });
      p.client.emit("sync", () => undefined);
    });
  }
}

describe("rooms and broadcast", () => {
  it("joins and leaves rooms, own id room included", async () => {
    h = await startServer();
    const [p] = await pairs(h, 1);
    const s = p?.socket as Socket;
    await s.join(["a", "b"]);
    await s.join("c");
    expect(s.rooms).toEqual(new Set([s.id, "a", "b", "c"]));
    await s.leave("b");
    expect(s.rooms).toEqual(new Set([s.id, "a", "c"]));
    expect(h.io.sockets.adapter.rooms.get("a")).toEqual(new Set([s.id]));
  });

  it("reaches a socket once even when it is in several targeted rooms", async () => {
    h = await startServer();
    const ps = await pairs(h, 3);
    const [a, b, c] = ps as [Pair, Pair, Pair];
    await a.socket.join(["r1", "r2"]);
    await b.socket.join("r2");
    h.io.to("r1").to("r2").emit("msg", 1);
    h.io.in(["r1"]).except("r2").emit("msg", 2);
    h.io.except("r1").emit("msg", 3);
    await settle(ps);
    expect(a.got).toEqual([[1]]);
    expect(b.got).toEqual([[1], [3]]);
    expect(c.got).toEqual([[3]]);
  });

  it("excludes the sender from socket.broadcast and socket.to()", async () => {
    h = await startServer();
    const ps = await pairs(h, 3);
    const [a, b, c] = ps as [Pair, Pair, Pair];
    await a.socket.join("room");
    await b.socket.join("room");
    a.socket.broadcast.emit("msg", "all-but-a");
    a.socket.to("room").emit("msg", "room-but-a");
    a.socket.except("room").emit("msg", "not-room");
    await settle(ps);
    expect(a.got).toEqual([]);
    expect(b.got).toEqual([["all-but-a"], ["room-but-a"]]);
    expect(c.got).toEqual([["all-but-a"], ["not-room"]]);
  });

  it("sends binary payloads to every target", async () => {
    h = await startServer();
    const ps = await pairs(h, 2);
    h.io.emit("msg", Buffer.from([1, 2]), { nested: Buffer.from([3]) });
    await settle(ps);
    for (const p of ps) {
      const [first, second] = p.got[0] as [ArrayBuffer, { nested: ArrayBuffer }];
      expect(Buffer.from(first)).toEqual(Buffer.from([1, 2]));
      expect(Buffer.from(second.nested)).toEqual(Buffer.from([3]));
    }
  });

  it("sends a message event with send()", async () => {
    h = await startServer();
    const ps = await pairs(h, 1);
    const [p] = ps as [Pair];
    const got = waitFor<[string]>(p.client, "message");
    h.io.send("hi");
    expect(await got).toEqual(["hi"]);
  });

  it("makes targeted sockets join, leave and disconnect", async () => {
    h = await startServer();
    const ps = await pairs(h, 2);
    const [a, b] = ps as [Pair, Pair];
    await a.socket.join("x");
    h.io.in("x").socketsJoin(["y", "z"]);
    expect(a.socket.rooms).toEqual(new Set([a.socket.id, "x", "y", "z"]));
    expect(b.socket.rooms).toEqual(new Set([b.socket.id]));
    h.io.socketsLeave("z");
    expect(a.socket.rooms.has("z")).toBe(false);
    const gone = waitFor<[string]>(a.client, "disconnect");
    h.io.in("y").disconnectSockets();
    expect((await gone)[0]).toBe("io server disconnect");
    expect(b.socket.connected).toBe(true);
  });

  it("fetches the targeted sockets as real Socket objects with id, rooms and data", async () => {
    h = await startServer();
    const ps = await pairs(h, 2);
    const [a] = ps as [Pair, Pair];
    a.socket.data = { user: "ann" };
    await a.socket.join("vip");
    const all = await h.io.fetchSockets();
    expect(all).toHaveLength(2);
    const vip = await h.io.in("vip").fetchSockets();
    expect(vip.map((s) => s.id)).toEqual([a.socket.id]);
    expect(vip[0]?.data).toEqual({ user: "ann" });
    expect(vip[0]).toBe(a.socket);
    expect(await h.io.allSockets()).toEqual(new Set(ps.map((p) => p.socket.id)));
  });

  it("keeps operators immutable: a modifier never changes the operator it was called on", async () => {
    h = await startServer();
    const ps = await pairs(h, 2);
    const [a, b] = ps as [Pair, Pair];
    await a.socket.join("r");
    const base = h.io.to("r");
    base.except("r");
    base.volatile;
    base.emit("msg", "still-r");
    await settle(ps);
    expect(a.got).toEqual([["still-r"]]);
    expect(b.got).toEqual([]);
  });

  it("carries socket flags into the operator, then resets them", async () => {
    h = await startServer();
    const ps = await pairs(h, 2);
    const [a, b] = ps as [Pair, Pair];
    a.socket.compress(false).broadcast.emit("msg", "b");
    a.socket.emit("msg", "a");
    await settle(ps);
    expect(a.got).toEqual([["a"]]);
    expect(b.got).toEqual([["b"]]);
  });

  it("delivers local broadcasts, and volatile ones while the transport is idle", async () => {
    h = await startServer();
    const ps = await pairs(h, 1);
    h.io.local.emit("msg", "local");
    await settle(ps);
    await idle((ps[0] as Pair).socket);
    h.io.volatile.emit("msg", "volatile");
    await settle(ps);
    expect(ps[0]?.got).toEqual([["local"], ["volatile"]]);
  });

  it("emits create-room, join-room, leave-room and delete-room on the adapter", async () => {
    h = await startServer();
    const events: string[] = [];
    const adapter = h.io.sockets.adapter;
    for (const ev of ["create-room", "join-room", "leave-room", "delete-room"]) {
      adapter.on(ev, (room: string) => events.push(`${ev}:${room}`));
    }
    const [p] = (await pairs(h, 1)) as [Pair];
    events.length = 0;
    await p.socket.join("t");
    await p.socket.leave("t");
    expect(events).toEqual(["create-room:t", "join-room:t", "leave-room:t", "delete-room:t"]);
  });

  it("refuses reserved event names in emit", async () => {
    h = await startServer();
    const [p] = (await pairs(h, 1)) as [Pair];
    for (const name of [
      "connect",
      "connect_error",
      "disconnect",
      "disconnecting",
      "newListener",
      "removeListener",
    ]) {
      expect(() => p.socket.emit(name)).toThrow(`"${name}" is a reserved event name`);
      expect(() => h?.io.emit(name)).toThrow(`"${name}" is a reserved event name`);
    }
    expect(() => h?.io.serverSideEmit("connection")).toThrow(
      '"connection" is a reserved event name',
    );
  });

  it("resolves serverSideEmitWithAck with no responses on a single node", async () => {
    h = await startServer();
    expect(h.io.serverSideEmit("hello", 1)).toBe(true);
    expect(await h.io.serverSideEmitWithAck("hello", 1)).toEqual([]);
  });

  it("sends from the socket with send(), targets with socket.in() and socket.local, and emit returns true", async () => {
    h = await startServer();
    const ps = await pairs(h, 3);
    const [a, b, c] = ps as [Pair, Pair, Pair];
    await b.socket.join("room");
    const message = waitFor<[string]>(a.client, "message");
    a.socket.send("direct");
    expect(await message).toEqual(["direct"]);
    expect(a.socket.in("room").emit("msg", "in-room")).toBe(true);
    expect(a.socket.local.emit("msg", "local-but-a")).toBe(true);
    expect(a.socket.emit("msg", "self")).toBe(true);
    await settle(ps);
    expect(a.got).toEqual([["self"]]);
    expect(b.got).toEqual([["in-room"], ["local-but-a"]]);
    expect(c.got).toEqual([["local-but-a"]]);
  });

  it("closes the whole connection of each targeted socket with disconnectSockets(true)", async () => {
    h = await startServer();
    const [a, b] = (await pairs(h, 2)) as [Pair, Pair];
    await a.socket.join("doomed");
    const other = waitFor<[Socket]>(h.io.of("/other"), "connection");
    const sibling = a.client.io.socket("/other");
    sibling.connect();
    const [otherSocket] = await other;
    await connected(sibling);
    const reasons = Promise.all([
      waitFor<[string]>(a.socket, "disconnect"),
      waitFor<[string]>(otherSocket, "disconnect"),
    ]);
    const closed = waitFor(a.socket.conn, "close");
    h.io.in("doomed").disconnectSockets(true);
    expect((await reasons).map(([r]) => r)).toEqual([
      "server namespace disconnect",
      "server namespace disconnect",
    ]);
    await closed;
    expect(b.socket.connected).toBe(true);
    expect(h.io.engine.clientsCount).toBe(1);
  });

  it("writes with write() and calls prependAnyOutgoing listeners first", async () => {
    h = await startServer();
    const [p] = (await pairs(h, 1)) as [Pair];
    const order: string[] = [];
    p.socket.onAnyOutgoing((ev: string) => order.push(`any:${ev}`));
    p.socket.prependAnyOutgoing((ev: string) => order.push(`first:${ev}`));
    const message = waitFor<[string]>(p.client, "message");
    p.socket.write("w");
    expect(await message).toEqual(["w"]);
    expect(order).toEqual(["first:message", "any:message"]);
  });

  it("sends one binary broadcast to websocket and long-polling clients alike", async () => {
    h = await startServer();
    const ws = h.client("/", { transports: ["websocket"] });
    const polling = h.client("/", { transports: ["polling"] });
    await Promise.all([connected(ws), connected(polling)]);
    const got = Promise.all([
      waitFor<[ArrayBuffer, { n: ArrayBuffer }]>(ws, "bin"),
      waitFor<[ArrayBuffer, { n: ArrayBuffer }]>(polling, "bin"),
    ]);
    h.io.emit("bin", Buffer.from([1, 2, 3]), { n: Buffer.from([4]) });
    for (const [first, second] of await got) {
      expect(Buffer.from(first)).toEqual(Buffer.from([1, 2, 3]));
      expect(Buffer.from(second.n)).toEqual(Buffer.from([4]));
    }
  });
});
