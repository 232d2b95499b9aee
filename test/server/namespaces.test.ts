// Namespaces: static, dynamic (RegExp and function) with ParentNamespace semantics, and cleanup.

import type { Namespace, Socket } from "@switchyard/server";
import { afterEach, describe, expect, it } from "vitest";
import { connected, type Harness, startServer, waitFor } from "./harness.js";
import { openRawPeer } from "./raw-peer.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("namespaces", () => {
  it('refuses an unknown namespace with 44/random,{"message":"Invalid namespace"} and keeps the session', async () => {
    h = await startServer();
    const peer = await openRawPeer(h.port);
    peer.send("40/random,");
    expect(String(await peer.next())).toBe('44/random,{"message":"Invalid namespace"}');
    peer.send("40");
    expect(String(await peer.next())).toMatch(/^40\{"sid":/);
    peer.close();
  });

  it("reports Invalid namespace as connect_error to the official client", async () => {
    h = await startServer();
    const c = h.client("/nope");
    const [err] = await waitFor<[Error]>(c, "connect_error");
    expect(err.message).toBe("Invalid namespace");
  });

  it("adds the leading slash and returns the same namespace for the same name", async () => {
    h = await startServer();
    const nsp = h.io.of("chat");
    expect(nsp.name).toBe("/chat");
    expect(h.io.of("/chat")).toBe(nsp);
    expect(h.io.sockets.name).toBe("/");
  });

  it("emits new_namespace for every namespace but /", async () => {
    h = await startServer();
    const seen = waitFor<[Namespace]>(h.io, "new_namespace");
    h.io.of("/fresh");
    const [nsp] = await seen;
    expect(nsp.name).toBe("/fresh");
  });

  it("multiplexes several namespaces over one connection", async () => {
    h = await startServer();
    h.io.of("/a").on("connection", (s) => s.emit("who", "a"));
    h.io.of("/b").on("connection", (s) => s.emit("who", "b"));
    const a = h.client("/a", { forceNew: true });
    const b = a.io.socket("/b");
    b.connect();
    const [[wa], [wb]] = await Promise.all([
      waitFor<[string]>(a, "who"),
      waitFor<[string]>(b, "who"),
    ]);
    expect([wa, wb]).toEqual(["a", "b"]);
    b.disconnect();
  });

  it("creates a child of a RegExp parent on the first CONNECT and copies middlewares and listeners", async () => {
    h = await startServer();
    const parent = h.io.of(/^\/dyn-\d+$/);
    expect(parent.name).toMatch(/^\/_\d+$/);
    const order: string[] = [];
    parent.use((_socket, next) => {
      order.push("mw");
      next();
    });
    const created = waitFor<[Namespace]>(h.io, "new_namespace");
    const connection = waitFor<[Socket]>(parent, "connection");
    const c = h.client("/dyn-42");
    const [[child], [socket]] = await Promise.all([created, connection]);
    await connected(c);
    expect(child.name).toBe("/dyn-42");
    expect(socket.nsp).toBe(child);
    expect(order).toEqual(["mw"]);
    expect(h.io.of("/dyn-42")).toBe(child);
  });

  it("accepts names through a function matcher and refuses what it refuses", async () => {
    h = await startServer();
    h.io.of((name, auth, next) => next(null, name === "/ok" && auth["k"] === 1));
    const ok = h.client("/ok", { auth: { k: 1 } });
    await connected(ok);
    const ko = h.client("/ok2", { auth: { k: 1 } });
    const [err] = await waitFor<[Error]>(ko, "connect_error");
    expect(err.message).toBe("Invalid namespace");
  });

  it("broadcasts from a parent to every child", async () => {
    h = await startServer();
    const parent = h.io.of(/^\/room-\w$/);
    const a = h.client("/room-a");
    const b = h.client("/room-b");
    await Promise.all([connected(a), connected(b)]);
    const got = Promise.all([waitFor<[number]>(a, "tick"), waitFor<[number]>(b, "tick")]);
    parent.emit("tick", 1);
    expect(await got).toEqual([[1], [1]]);
  });

  it("refuses fetchSockets() on a parent namespace", async () => {
    h = await startServer();
    const parent = h.io.of(/^\/p$/);
    expect(() => parent.fetchSockets()).toThrow(
      "fetchSockets() is not supported on parent namespaces",
    );
  });

  it("removes an empty child namespace with cleanupEmptyChildNamespaces", async () => {
    h = await startServer({ cleanupEmptyChildNamespaces: true });
    const parent = h.io.of(/^\/tmp-\d$/) as unknown as Namespace & { children: Set<Namespace> };
    const joined = waitFor<[Socket]>(parent, "connection");
    const c = h.client("/tmp-1");
    const [socket] = await joined;
    const child = socket.nsp;
    expect(parent.children.has(child)).toBe(true);
    const left = waitFor(socket, "disconnect");
    c.disconnect();
    await left;
    expect(parent.children.size).toBe(0);
    const again = h.client("/tmp-1");
    await connected(again);
    expect(h.io.of("/tmp-1")).not.toBe(child);
  });

  it("keeps empty child namespaces by default", async () => {
    h = await startServer();
    const parent = h.io.of(/^\/keep-\d$/) as unknown as Namespace & { children: Set<Namespace> };
    const joined = waitFor<[Socket]>(parent, "connection");
    const c = h.client("/keep-1");
    const [socket] = await joined;
    const left = waitFor(socket, "disconnect");
    c.disconnect();
    await left;
    expect(parent.children.size).toBe(1);
    expect(h.io.of("/keep-1")).toBe(socket.nsp);
  });

  it("reuses the child created by the first of two racing CONNECTs to a new dynamic name", async () => {
    h = await startServer();
    const created: string[] = [];
    h.io.on("new_namespace", (nsp: Namespace) => created.push(nsp.name));
    // An asynchronous matcher lets both CONNECTs reach resolution before either creates the child.
    h.io.of((_name, _auth, next) => setImmediate(() => next(null, true)));
    const a = h.client("/race");
    const b = h.client("/race");
    await Promise.all([connected(a), connected(b)]);
    expect(created).toEqual(["/race"]);
    expect(h.io.of("/race").sockets.size).toBe(2);
  });

  it("registers the listener given to of(name, fn) for connections", async () => {
    h = await startServer();
    const joined = new Promise<Socket>((resolve) => h?.io.of("/with-fn", resolve));
    h.client("/with-fn");
    expect((await joined).nsp.name).toBe("/with-fn");
  });

  it("broadcasts parent.to(room) to that room in every child", async () => {
    h = await startServer();
    const parent = h.io.of(/^\/team-\w$/);
    parent.on("connection", (socket) => {
      if (socket.handshake.auth["vip"] === true) void socket.join("vip");
      socket.on("sync", (ack: () => void) => ack());
    });
    const a = h.client("/team-a", { auth: { vip: true } });
    const b = h.client("/team-b", { auth: { vip: true } });
    const c = h.client("/team-b", { auth: { vip: false } });
    await Promise.all([connected(a), connected(b), connected(c)]);
    const got: string[] = [];
    for (const [name, s] of [
      ["a", a],
      ["b", b],
      ["c", c],
    ] as const)
      s.on("news", () => got.push(name));
    parent.to("vip").emit("news");
    await Promise.all([a.emitWithAck("sync"), b.emitWithAck("sync"), c.emitWithAck("sync")]);
    expect(got.sort()).toEqual(["a", "b"]);
  });

  it("copies the parent's middlewares and connection listeners as they are when a child is created", async () => {
    h = await startServer();
    const parent = h.io.of(/^\/snap-\d$/);
    const seen: string[] = [];
    parent.use((_s, next) => {
      seen.push("mw-early");
      next();
    });
    parent.on("connection", (s) => seen.push(`early:${s.nsp.name}`));
    const first = h.client("/snap-1");
    await connected(first);
    // Added after /snap-1 exists: only children created from now on get them.
    parent.use((_s, next) => {
      seen.push("mw-late");
      next();
    });
    parent.on("connection", (s) => seen.push(`late:${s.nsp.name}`));
    const again = h.client("/snap-1");
    await connected(again);
    const other = h.client("/snap-2");
    await connected(other);
    expect(seen).toEqual([
      "mw-early",
      "early:/snap-1",
      "mw-early",
      "early:/snap-1",
      "mw-early",
      "mw-late",
      "early:/snap-2",
      "late:/snap-2",
    ]);
  });

  it("closes the adapter of a removed empty child and announces each new child", async () => {
    h = await startServer({ cleanupEmptyChildNamespaces: true });
    const parent = h.io.of(/^\/gone-\d$/);
    const announced: string[] = [];
    h.io.on("new_namespace", (nsp: Namespace) => announced.push(nsp.name));
    const joined = waitFor<[Socket]>(parent, "connection");
    const c = h.client("/gone-1");
    const [socket] = await joined;
    let closed = 0;
    const adapter = socket.nsp.adapter;
    const close = adapter.close.bind(adapter);
    adapter.close = () => {
      closed++;
      return close();
    };
    const left = waitFor(socket, "disconnect");
    c.disconnect();
    await left;
    expect(closed).toBe(1);
    await connected(h.client("/gone-1"));
    expect(announced).toEqual(["/gone-1", "/gone-1"]);
  });

  it("keeps an empty child while a CONNECT to it is still in the middlewares", async () => {
    h = await startServer({ cleanupEmptyChildNamespaces: true });
    const parent = h.io.of(/^\/busy-\d$/) as unknown as Namespace & { children: Set<Namespace> };
    let release: (() => void) | undefined;
    parent.use((socket, next) => {
      if (socket.handshake.auth["slow"] === true) release = () => next();
      else next();
    });
    const first = waitFor<[Socket]>(parent, "connection");
    const a = h.client("/busy-1");
    const [sa] = await first;
    await connected(a);
    const child = sa.nsp;
    const b = h.client("/busy-1", { auth: { slow: true } });
    while (release === undefined) await new Promise((r) => setTimeout(r, 5));
    const left = waitFor(sa, "disconnect");
    a.disconnect();
    await left;
    release();
    await connected(b);
    // b's socket lives in the child the server still knows: reachable by name and from the parent.
    expect(parent.children.has(child)).toBe(true);
    expect(h.io.of("/busy-1")).toBe(child);
    expect(child.sockets.size).toBe(1);
    const got = waitFor<[number]>(b, "tick");
    parent.emit("tick", 1);
    expect(await got).toEqual([1]);
    const [sb] = [...child.sockets.values()] as [Socket];
    const gone = waitFor(sb, "disconnect");
    b.disconnect();
    await gone;
    expect(parent.children.size).toBe(0);
  });
});
