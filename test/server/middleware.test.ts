// Middlewares: connect middlewares (io.use / nsp.use) and packet middlewares (socket.use).

import type { ExtendedError, Socket } from "@switchyard/server";
import { afterEach, describe, expect, it } from "vitest";
import { connected, type Harness, startServer, waitFor } from "./harness.js";
import { openRawPeer } from "./raw-peer.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("connect middlewares", () => {
  it("runs io.use middlewares in order before connection, with socket.connected still false", async () => {
    h = await startServer();
    const seen: string[] = [];
    h.io.use((socket, next) => {
      seen.push(`1:${socket.connected}`);
      next();
    });
    h.io.use((_socket, next) => {
      seen.push("2");
      next();
    });
    h.io.on("connection", () => seen.push("connection"));
    await connected(h.client());
    expect(seen).toEqual(["1:false", "2", "connection"]);
  });

  it('refuses with 44{"message","data"} on the wire and keeps the session open', async () => {
    h = await startServer();
    h.io.use((_socket, next) => {
      const err: ExtendedError = new Error("Not authorized");
      err.data = { code: 401 };
      next(err);
    });
    const peer = await openRawPeer(h.port);
    peer.send("40");
    expect(String(await peer.next())).toBe('44{"message":"Not authorized","data":{"code":401}}');
    peer.send("40");
    expect(String(await peer.next())).toBe('44{"message":"Not authorized","data":{"code":401}}');
    peer.close();
  });

  it("omits data from CONNECT_ERROR when the error has none", async () => {
    h = await startServer();
    h.io.use((_socket, next) => next(new Error("nope")));
    const peer = await openRawPeer(h.port);
    peer.send("40");
    expect(String(await peer.next())).toBe('44{"message":"nope"}');
    peer.close();
  });

  it("gives the official client an Error with message and data", async () => {
    h = await startServer();
    h.io.of("/guarded").use((socket, next) => {
      if (socket.handshake.auth["token"] === "ok") next();
      else next(Object.assign(new Error("bad token"), { data: { retry: false } }));
    });
    const ko = h.client("/guarded", { auth: { token: "x" } });
    const [err] = await waitFor<[Error & { data?: unknown }]>(ko, "connect_error");
    expect(err.message).toBe("bad token");
    expect(err.data).toEqual({ retry: false });
    await connected(h.client("/guarded", { auth: { token: "ok" } }));
  });

  it("applies nsp.use only to its namespace", async () => {
    h = await startServer();
    h.io.of("/locked").use((_s, next) => next(new Error("locked")));
    h.io.of("/open");
    await connected(h.client("/open"));
    const [err] = await waitFor<[Error]>(h.client("/locked"), "connect_error");
    expect(err.message).toBe("locked");
  });

  it("drops a socket silently when the connection closes while a middleware is pending", async () => {
    h = await startServer();
    let release: (() => void) | undefined;
    const entered = new Promise<void>((resolve) => {
      h?.io.use((_s, next) => {
        release = () => next();
        resolve();
      });
    });
    let connections = 0;
    h.io.on("connection", () => connections++);
    const session = waitFor<[NodeJS.EventEmitter]>(
      h.io.engine as NodeJS.EventEmitter,
      "connection",
    );
    const peer = await openRawPeer(h.port);
    const [engineSession] = await session;
    const sessionClosed = waitFor(engineSession, "close");
    peer.send("40");
    await entered;
    peer.close();
    await sessionClosed;
    release?.();
    await new Promise((r) => setImmediate(r));
    expect(connections).toBe(0);
    expect(h.io.sockets.sockets.size).toBe(0);
  });
});

describe("packet middlewares", () => {
  it("runs socket.use before listeners and can rewrite the event", async () => {
    h = await startServer();
    h.io.on("connection", (socket) => {
      socket.use((event, next) => {
        event[1] = `${String(event[1])}!`;
        next();
      });
      socket.on("shout", (text: string, ack: (t: string) => void) => ack(text));
    });
    const c = h.client();
    await connected(c);
    expect(await c.emitWithAck("shout", "hey")).toBe("hey!");
  });

  it("drops the event and emits error on the socket when a middleware fails, without disconnecting", async () => {
    h = await startServer();
    const connection = waitFor<[Socket]>(h.io, "connection");
    const c = h.client();
    const [socket] = await connection;
    let handled = 0;
    socket.use(([name], next) => (name === "bad" ? next(new Error("rejected")) : next()));
    socket.on("bad", () => handled++);
    socket.on("good", (ack: () => void) => ack());
    const error = waitFor<[Error]>(socket, "error");
    c.emit("bad");
    const [err] = await error;
    expect(err.message).toBe("rejected");
    await c.emitWithAck("good");
    expect(handled).toBe(0);
    expect(socket.connected).toBe(true);
  });

  it("calls onAny listeners before regular listeners, with the event name", async () => {
    h = await startServer();
    const connection = waitFor<[Socket]>(h.io, "connection");
    const c = h.client();
    const [socket] = await connection;
    const order: string[] = [];
    socket.onAny((ev: string, x: number) => order.push(`any:${ev}:${x}`));
    socket.prependAny((ev: string) => order.push(`first:${ev}`));
    socket.on("e", (_x: number, ack: () => void) => {
      order.push("on");
      ack();
    });
    await c.emitWithAck("e", 1);
    expect(order).toEqual(["first:e", "any:e:1", "on"]);
    expect(socket.listenersAny()).toHaveLength(2);
    socket.offAny();
    expect(socket.listenersAny()).toHaveLength(0);
  });

  it("calls onAnyOutgoing listeners for emits and broadcasts", async () => {
    h = await startServer();
    const connection = waitFor<[Socket]>(h.io, "connection");
    const c = h.client();
    const [socket] = await connection;
    await connected(c);
    const out: unknown[][] = [];
    const listener = (...args: unknown[]) => out.push(args);
    socket.onAnyOutgoing(listener);
    socket.emit("direct", 1);
    h.io.emit("everyone", 2);
    expect(out).toEqual([
      ["direct", 1],
      ["everyone", 2],
    ]);
    expect(socket.listenersAnyOutgoing()).toEqual([listener]);
    socket.offAnyOutgoing(listener);
    socket.emit("direct", 3);
    expect(out).toHaveLength(2);
  });

  it("delivers a client's \"error\" event to the socket's error listeners without closing anything", async () => {
    h = await startServer();
    const connection = waitFor<[Socket]>(h.io, "connection");
    const peer = await openRawPeer(h.port);
    peer.send("40");
    await peer.next();
    const [socket] = await connection;
    socket.on("ping-me", (ack: () => void) => ack());
    const error = waitFor<[unknown]>(socket, "error");
    peer.send('42["error","from the client"]');
    expect(await error).toEqual(["from the client"]);
    peer.send('421["ping-me"]');
    expect(String(await peer.next())).toBe("431[]");
    expect(socket.connected).toBe(true);
    peer.close();
  });
});
