// The fan-out write path: packets encoded once for many sessions, one corked write per tick,
// and backpressure bounds (volatile packets only when they can leave at once, close past
// maxBufferedBytesHard).
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { EncodedPacket, type EngineCloseReason, type EngineSession } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import {
  type EngineHarness,
  engineStarter,
  handshake,
  openWebSocket,
  type QueuedWebSocket,
  rawPoll,
  rawWebSocket,
  requestArrives,
  waitForEvent,
} from "./support/engine-harness.js";

const startEngine = engineStarter();

async function wsPeer(
  engine: EngineHarness,
  query: Record<string, string> = {},
): Promise<{ client: QueuedWebSocket; session: EngineSession }> {
  const connection = waitForEvent<[EngineSession]>(engine.engine, "connection");
  const client = await openWebSocket(engine, query);
  const [session] = await connection;
  await client.next();
  return { client, session };
}

describe("pre-encoded packets", () => {
  it("delivers one EncodedPacket to websocket, b64 websocket and polling sessions", async () => {
    const harness = await startEngine();
    const a = await wsPeer(harness);
    const b = await wsPeer(harness);
    const b64 = await wsPeer(harness, { b64: "1" });
    const polling = await handshake(harness);
    const text = new EncodedPacket("message", "broadcast");
    const binary = new EncodedPacket("message", Buffer.from([9, 8, 7]));
    for (const session of [a.session, b.session, b64.session, polling.session]) {
      expect(session.writePreEncoded(text)).toBe(true);
      expect(session.writePreEncoded(binary)).toBe(true);
    }
    for (const peer of [a, b]) {
      expect(await peer.client.next()).toBe("4broadcast");
      expect([...((await peer.client.next()) as Buffer)]).toEqual([9, 8, 7]);
    }
    expect(await b64.client.next()).toBe("4broadcast");
    expect(await b64.client.next()).toBe("bCQgH");
    expect((await rawPoll(harness, polling.open.sid)).body).toBe("4broadcast\x1ebCQgH");
  });

  it("frames a packet once: every session shares the same frame buffers", () => {
    const packet = new EncodedPacket("message", "shared");
    const first = packet.wsFrame(true);
    expect(packet.wsFrame(true)).toBe(first);
    expect(Buffer.concat(first as Buffer[]).toString("latin1")).toBe("\x81\x074shared");
  });

  /** The socket's writes, each with its cork depth, and its uncorks. */
  async function watchedWrites(harness: Awaited<ReturnType<typeof startEngine>>) {
    const upgrade = waitForEvent<[unknown, Duplex]>(harness.http, "upgrade");
    const peer = await wsPeer(harness);
    const [, socket] = await upgrade;
    const seen = { corkedAtWrite: [] as number[], uncorks: 0 };
    const write = socket.write.bind(socket);
    const uncork = socket.uncork.bind(socket);
    socket.write = ((...args: Parameters<Duplex["write"]>) => {
      seen.corkedAtWrite.push(socket.writableCorked);
      return write(...args);
    }) as Duplex["write"];
    socket.uncork = () => {
      seen.uncorks++;
      uncork();
    };
    return { peer, seen };
  }

  it("writes the small packets of one tick in one buffer, one write", async () => {
    const { peer, seen } = await watchedWrites(await startEngine());
    for (let i = 0; i < 5; i++) peer.session.send(`p${i}`);
    for (let i = 0; i < 5; i++) expect(await peer.client.next()).toBe(`4p${i}`);
    expect(seen.corkedAtWrite).toEqual([0]);
    expect(seen.uncorks).toBe(0);
  });

  it("writes a tick's packets past 16 KiB while the socket is corked, with one uncork", async () => {
    const { peer, seen } = await watchedWrites(await startEngine());
    const large = (i: number): string => `${i}${"x".repeat(20_000)}`;
    for (let i = 0; i < 3; i++) peer.session.send(large(i));
    for (let i = 0; i < 3; i++) expect(await peer.client.next()).toBe(`4${large(i)}`);
    expect(seen.corkedAtWrite.length).toBeGreaterThanOrEqual(3);
    expect(seen.corkedAtWrite.every((depth) => depth > 0)).toBe(true);
    expect(seen.uncorks).toBe(1);
  });
});

describe("backpressure", () => {
  it("takes a volatile packet on polling only while a GET is pending and nothing is queued", async () => {
    const harness = await startEngine();
    const { open, session } = await handshake(harness);
    const volatile = (data: string): boolean =>
      session.writePreEncoded(new EncodedPacket("message", data), { volatile: true });
    // No GET pending: the official engine would buffer it behind the next poll, so it is dropped.
    expect(volatile("v0")).toBe(false);
    const arrived = requestArrives(harness);
    const poll = rawPoll(harness, open.sid);
    await arrived;
    expect(session.transport.writable).toBe(true);
    expect(volatile("v1")).toBe(true);
    // v1 waits in this tick's batch: the official engine would have flushed it already, leaving
    // the poll answered and the transport not writable.
    expect(volatile("v2")).toBe(false);
    expect(session.writePreEncoded(new EncodedPacket("message", "kept"))).toBe(true);
    expect((await poll).body).toBe("4v1\x1e4kept");
  });

  it("drops volatile packets while a WebSocket write is in flight, takes them once it completes", async () => {
    const harness = await startEngine();
    const upgrade = waitForEvent<[unknown, Duplex]>(harness.http, "upgrade");
    const { client, session } = await wsPeer(harness);
    const [, socket] = await upgrade;
    // Hold the write callbacks: the frames reach the client, but the writes stay "in flight".
    const held: (() => void)[] = [];
    const write = socket.write.bind(socket);
    socket.write = ((chunk: Buffer, callback?: () => void) => {
      if (callback !== undefined) held.push(callback);
      return write(chunk);
    }) as Duplex["write"];
    session.send("first");
    await waitForEvent(session, "flush");
    await new Promise<void>((resolve) => process.nextTick(resolve));
    expect(held).toHaveLength(1);
    expect(session.transport.writable).toBe(false);
    const volatile = (data: string): boolean =>
      session.writePreEncoded(new EncodedPacket("message", data), { volatile: true });
    expect(volatile("dropped")).toBe(false);
    // Regular packets are not held back by the write in flight.
    session.send("second");
    expect(await client.next()).toBe("4first");
    expect(await client.next()).toBe("4second");
    const ready = waitForEvent(session.transport, "ready");
    for (const callback of held.splice(0)) callback();
    await ready;
    expect(session.transport.writable).toBe(true);
    socket.write = write;
    expect(volatile("taken")).toBe(true);
    expect(await client.next()).toBe("4taken");
  });

  it("closes a polling session whose buffer passes maxBufferedBytesHard", async () => {
    const harness = await startEngine({ maxBufferedBytes: 100, maxBufferedBytesHard: 1000 });
    const { session } = await handshake(harness);
    const closed = waitForEvent<[EngineCloseReason]>(session, "close");
    for (let i = 0; i < 20; i++) session.send("x".repeat(100));
    expect((await closed)[0]).toBe("write buffer overflow");
    expect(harness.engine.clientsCount).toBe(0);
  });

  it("closes a websocket session whose peer stops reading", async () => {
    const harness = await startEngine({ maxBufferedBytes: 1 << 16, maxBufferedBytesHard: 1 << 20 });
    const connection = waitForEvent<[EngineSession]>(harness.engine, "connection");
    const reader = await stalledWebSocket(harness);
    const [session] = await connection;
    const closed = waitForEvent<[EngineCloseReason]>(session, "close", 10_000);
    let reason: EngineCloseReason | undefined;
    void closed.then(([value]) => {
      reason = value;
    });
    const chunk = "y".repeat(64 * 1024);
    let dropped = 0;
    for (let round = 0; round < 2000 && reason === undefined; round++) {
      if (!session.writePreEncoded(new EncodedPacket("message", chunk), { volatile: true }))
        dropped++;
      session.send(chunk);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await closed)[0]).toBe("write buffer overflow");
    expect(dropped).toBeGreaterThan(0);
    reader.destroy();
  });
});

/** A WebSocket handshake done by hand on a socket that then never reads. */
async function stalledWebSocket(engine: EngineHarness): Promise<Socket> {
  const socket = await rawWebSocket(engine);
  socket.pause();
  return socket;
}
