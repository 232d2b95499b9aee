// Acknowledgements: both directions, timeouts, emitWithAck, broadcast aggregation, binary acks.

import type { Socket } from "@switchyard/server";
import { afterEach, describe, expect, it } from "vitest";
import { connected, type Harness, startServer, waitFor } from "./harness.js";
import { openRawPeer, rawConnect } from "./raw-peer.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function serverSocket(harness: Harness, nsp = "/") {
  const connection = waitFor<[Socket]>(harness.io.of(nsp), "connection");
  const client = harness.client(nsp);
  const [socket] = await connection;
  await connected(client);
  return { socket, client };
}

describe("acks", () => {
  it("answers a client ack with 43<id>[…] on the wire", async () => {
    h = await startServer();
    h.io.on("connection", (s) =>
      s.on("sum", (a: number, b: number, ack: (n: number) => void) => ack(a + b)),
    );
    const peer = await openRawPeer(h.port);
    await rawConnect(peer);
    peer.send('4212["sum",1,2]');
    expect(String(await peer.next())).toBe("4312[3]");
    peer.close();
  });

  it("sends only the first reply when a listener calls its ack twice", async () => {
    h = await startServer();
    h.io.on("connection", (s) =>
      s.on("twice", (ack: (n: number) => void) => {
        ack(1);
        ack(2);
        s.emit("after");
      }),
    );
    const peer = await openRawPeer(h.port);
    await rawConnect(peer);
    peer.send('427["twice"]');
    expect(String(await peer.next())).toBe("437[1]");
    expect(String(await peer.next())).toBe('42["after"]');
    peer.close();
  });

  it("answers with a binary ack 461-… plus the attachment", async () => {
    h = await startServer();
    h.io.on("connection", (s) =>
      s.on("bin", (ack: (b: Buffer) => void) => ack(Buffer.from([1, 2, 3]))),
    );
    const peer = await openRawPeer(h.port);
    await rawConnect(peer);
    peer.send('425["bin"]');
    expect(String(await peer.next())).toBe('461-5[{"_placeholder":true,"num":0}]');
    expect(await peer.next()).toEqual(Buffer.from([1, 2, 3]));
    peer.close();
  });

  it("receives a binary event 451-… with its attachment", async () => {
    h = await startServer();
    const connection = waitFor<[Socket]>(h.io, "connection");
    const peer = await openRawPeer(h.port);
    await rawConnect(peer);
    const [socket] = await connection;
    const got = waitFor<[string, Buffer]>(socket, "file");
    peer.send('451-["file","a",{"_placeholder":true,"num":0}]');
    peer.send(Buffer.from([9, 8]));
    const [name, data] = await got;
    expect(name).toBe("a");
    expect(Buffer.from(data)).toEqual(Buffer.from([9, 8]));
    peer.close();
  });

  it("delivers the client's answer to a server emit with ack", async () => {
    h = await startServer();
    const { socket, client } = await serverSocket(h);
    client.on("ask", (q: string, ack: (a: string) => void) => ack(`${q}?`));
    const answer = await new Promise((resolve) => socket.emit("ask", "why", resolve));
    expect(answer).toBe("why?");
    expect(await socket.emitWithAck("ask", "how")).toBe("how?");
  });

  it("gives timeout() acks an Error first, and operation has timed out when the client is silent", async () => {
    h = await startServer();
    const { socket, client } = await serverSocket(h);
    client.on("fast", (ack: (v: number) => void) => ack(7));
    client.on("silent", () => undefined);
    const fast = await new Promise<unknown[]>((resolve) =>
      socket.timeout(1000).emit("fast", (...args: unknown[]) => resolve(args)),
    );
    expect(fast).toEqual([null, 7]);
    const [err] = await new Promise<unknown[]>((resolve) =>
      socket.timeout(20).emit("silent", (...args: unknown[]) => resolve(args)),
    );
    expect((err as Error).message).toBe("operation has timed out");
    await expect(socket.timeout(20).emitWithAck("silent")).rejects.toThrow(
      "operation has timed out",
    );
    expect(await socket.timeout(1000).emitWithAck("fast")).toBe(7);
  });

  it("collects one response per socket in a broadcast ack", async () => {
    h = await startServer();
    const a = await serverSocket(h);
    const b = await serverSocket(h);
    a.client.on("vote", (ack: (v: string) => void) => ack("a"));
    b.client.on("vote", (ack: (v: string) => void) => ack("b"));
    const [err, responses] = await new Promise<unknown[]>((resolve) =>
      h?.io.timeout(1000).emit("vote", (...args: unknown[]) => resolve(args)),
    );
    expect(err).toBeNull();
    expect((responses as string[]).sort()).toEqual(["a", "b"]);
    expect(((await h.io.timeout(1000).emitWithAck("vote")) as string[]).sort()).toEqual(["a", "b"]);
  });

  it("acks a broadcast to no socket at once with an empty list", async () => {
    h = await startServer();
    const result = await new Promise<unknown[]>((resolve) =>
      h?.io
        .to("nobody")
        .timeout(10_000)
        .emit("x", (...args: unknown[]) => resolve(args)),
    );
    expect(result).toEqual([null, []]);
  });

  it("times out a broadcast ack with the partial responses", async () => {
    h = await startServer();
    const a = await serverSocket(h);
    await serverSocket(h);
    a.client.on("vote", (ack: (v: string) => void) => ack("a"));
    const err = await h.io
      .timeout(100)
      .emitWithAck("vote")
      .catch((e: Error & { responses: unknown[] }) => e);
    expect((err as Error).message).toBe("operation has timed out");
    expect((err as Error & { responses: unknown[] }).responses).toEqual(["a"]);
  });

  it("fires a broadcast ack without timeout() at once with operation has timed out", async () => {
    const harness = await startServer();
    h = harness;
    const a = await serverSocket(harness);
    a.client.on("slow", () => undefined);
    const [err] = await new Promise<unknown[]>((resolve) =>
      (harness.io.sockets as unknown as { emit: (...a: unknown[]) => void }).emit(
        "slow",
        (...args: unknown[]) => resolve(args),
      ),
    );
    expect((err as Error).message).toBe("operation has timed out");
  });

  it("ignores an ACK with an unknown id", async () => {
    h = await startServer();
    h.io.on("connection", (s) => s.on("ping", (ack: () => void) => ack()));
    const peer = await openRawPeer(h.port);
    await rawConnect(peer);
    peer.send('4399["late"]');
    peer.send('421["ping"]');
    expect(String(await peer.next())).toBe("431[]");
    peer.close();
  });
});

describe("ack timing and error shape", () => {
  it("times out a socket ack no earlier than its delay, calls it once and ignores the late ACK", async () => {
    h = await startServer();
    const { socket, client } = await serverSocket(h);
    client.on("late", (ack: (v: string) => void) => setTimeout(() => ack("too late"), 150));
    client.on("sync", (ack: () => void) => ack());
    const calls: unknown[][] = [];
    const started = Date.now();
    const first = new Promise<void>((resolve) =>
      socket.timeout(60).emit("late", (...args: unknown[]) => {
        calls.push([Date.now() - started, ...args]);
        resolve();
      }),
    );
    await first;
    // Let the late ACK arrive, then make sure it changed nothing.
    await new Promise((r) => setTimeout(r, 200));
    await socket.timeout(1000).emitWithAck("sync");
    expect(calls).toHaveLength(1);
    const [elapsed, err, extra] = calls[0] as [number, Error, unknown];
    expect(elapsed).toBeGreaterThanOrEqual(55);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe("operation has timed out");
    expect(extra).toBeUndefined();
    expect(socket.connected).toBe(true);
  });

  it("resets timeout() after one emit: the next ack waits without a deadline", async () => {
    h = await startServer();
    const { socket, client } = await serverSocket(h);
    client.on("later", (ack: (v: string) => void) => setTimeout(() => ack("done"), 80));
    socket.timeout(1000).emit("later", () => undefined);
    const args = await new Promise<unknown[]>((resolve) =>
      socket.emit("later", (...a: unknown[]) => resolve(a)),
    );
    // Without timeout() the callback gets the client's arguments only (no error first).
    expect(args).toEqual(["done"]);
  });

  it("fires a broadcast ack timeout at its deadline with (Error, partial responses)", async () => {
    h = await startServer();
    const a = await serverSocket(h);
    const b = await serverSocket(h);
    a.client.on("vote", (ack: (v: string) => void) => ack("a"));
    b.client.on("vote", () => undefined);
    const started = Date.now();
    const [elapsed, err, responses] = await new Promise<[number, Error, unknown[]]>((resolve) =>
      h?.io
        .timeout(120)
        .emit("vote", (e: Error, r: unknown[]) => resolve([Date.now() - started, e, r])),
    );
    expect(elapsed).toBeGreaterThanOrEqual(110);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe("operation has timed out");
    expect(responses).toEqual(["a"]);
  });

  it("completes a broadcast ack as soon as every client answered, well before the deadline", async () => {
    h = await startServer();
    const a = await serverSocket(h);
    const b = await serverSocket(h);
    await b.socket.join("r");
    a.client.on("vote", (ack: (v: string) => void) => ack("a"));
    b.client.on("vote", (ack: (v: string) => void) => ack("b"));
    const started = Date.now();
    const responses = await h.io.to("r").timeout(10_000).emitWithAck("vote");
    expect(Date.now() - started).toBeLessThan(5000);
    expect(responses).toEqual(["b"]);
  });

  it("collects a broadcast ack from socket.broadcast without the sender", async () => {
    h = await startServer();
    const a = await serverSocket(h);
    const b = await serverSocket(h);
    a.client.on("vote", (ack: (v: string) => void) => ack("a"));
    b.client.on("vote", (ack: (v: string) => void) => ack("b"));
    expect(await a.socket.broadcast.timeout(1000).emitWithAck("vote")).toEqual(["b"]);
  });

  it("gives fetchSockets() sockets a single-response ack", async () => {
    h = await startServer();
    const a = await serverSocket(h);
    a.client.on("one", (ack: (v: number) => void) => ack(1));
    const [remote] = await h.io.fetchSockets();
    expect(await remote?.timeout(1000).emitWithAck("one")).toBe(1);
  });

  it("never changes the responses handed over at the deadline when a late answer arrives", async () => {
    h = await startServer();
    const a = await serverSocket(h);
    a.client.on("slow", (ack: (v: string) => void) => setTimeout(() => ack("late"), 100));
    a.client.on("sync", (ack: () => void) => ack());
    const [err, responses] = await new Promise<[Error & { responses: unknown[] }, unknown[]]>(
      (resolve) => h?.io.timeout(30).emit("slow", (e: never, r: unknown[]) => resolve([e, r])),
    );
    expect(responses).toEqual([]);
    // The late answer arrives after the deadline; a round trip makes sure it was processed.
    await new Promise((r) => setTimeout(r, 150));
    await a.socket.timeout(1000).emitWithAck("sync");
    expect(responses).toEqual([]);
    expect(err.responses).toEqual([]);
  });

  it("allocates ack ids from one counter per namespace, shared by its sockets and broadcasts", async () => {
    h = await startServer();
    h.io.of("/admin");
    const connection = waitFor<[Socket]>(h.io, "connection");
    const a = await openRawPeer(h.port);
    await rawConnect(a);
    const [sa] = await connection;
    const connection2 = waitFor<[Socket]>(h.io, "connection");
    const b = await openRawPeer(h.port);
    await rawConnect(b);
    const [sb] = await connection2;
    const admin = waitFor<[Socket]>(h.io.of("/admin"), "connection");
    await rawConnect(a, "/admin");
    const [sAdmin] = await admin;
    const idOf = async (peer: typeof a, prefix: string) =>
      Number(new RegExp(`^${prefix}(\\d+)\\[`).exec(String(await peer.next()))?.[1]);
    sa.emit("x", () => undefined);
    expect(await idOf(a, "42")).toBe(0);
    sb.emit("x", () => undefined);
    expect(await idOf(b, "42")).toBe(1);
    h.io.timeout(1000).emit("x", () => undefined);
    expect([await idOf(a, "42"), await idOf(b, "42")]).toEqual([2, 2]);
    sAdmin.emit("x", () => undefined);
    expect(await idOf(a, "42/admin,")).toBe(0);
    a.close();
    b.close();
  });
});
