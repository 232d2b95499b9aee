// Socket lifecycle hygiene: nothing outlives a socket (engine clients, rooms, sids, ack timers),
// pending acks settle at disconnection, and listeners that re-enter disconnect() or throw cannot
// corrupt the close sequence.

import type { DisconnectReason, Socket } from "@switchyard/server";
import { afterEach, describe, expect, it } from "vitest";
import { connected, type Harness, startServer, waitFor } from "./harness.js";
import { openRawPeer, rawConnect } from "./raw-peer.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The number of active timers of the process (setTimeout/setInterval handles). */
function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
}

async function pair(harness: Harness, opts: Parameters<Harness["client"]>[1] = {}) {
  const connection = waitFor<[Socket]>(harness.io, "connection");
  const client = harness.client("/", opts);
  const [socket] = await connection;
  await connected(client);
  return { socket, client };
}

describe("socket lifecycle", () => {
  it("leaves no engine client, room, sid, socket or ack timer after 200 connect/disconnect cycles", async () => {
    const harness = await startServer();
    h = harness;
    const before = activeTimers();
    const reasons = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const transports = i % 4 === 3 ? ["polling"] : ["websocket"];
      const { socket, client } = await pair(harness, { transports });
      await socket.join(["shared", `own-${i}`]);
      socket.timeout(60_000).emit("never-answered", () => undefined);
      socket.emit("no-timeout", () => undefined);
      const gone = waitFor<[DisconnectReason]>(socket, "disconnect");
      if (i % 3 === 0) client.disconnect();
      else if (i % 3 === 1) socket.disconnect(true);
      else client.io.engine.close();
      const [reason] = await gone;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      client.disconnect();
    }
    // The engine forgets a session once its transport has closed: wait for the last ones.
    for (let i = 0; i < 100 && harness.io.engine.clientsCount > 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect([...reasons.keys()].sort()).toEqual([
      "client namespace disconnect",
      "server namespace disconnect",
      "transport close",
    ]);
    expect(harness.io.engine.clientsCount).toBe(0);
    expect(harness.io.sockets.sockets.size).toBe(0);
    expect(harness.io.sockets.adapter.rooms.size).toBe(0);
    expect(harness.io.sockets.adapter.sids.size).toBe(0);
    // Closing handshakes (ws close frames…) hold short-lived timers: let them finish. 200 pending
    // 60 s ack timers would still be here without the cleanup at disconnection.
    for (let i = 0; i < 100 && activeTimers() > before; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(activeTimers()).toBeLessThanOrEqual(before);
  });

  it("fails a pending timeout() ack at disconnection with operation has timed out, once", async () => {
    h = await startServer();
    const { socket, client } = await pair(h);
    client.on("slow", () => undefined);
    const calls: unknown[][] = [];
    socket.timeout(60_000).emit("slow", (...args: unknown[]) => calls.push(args));
    const rejected = socket
      .timeout(60_000)
      .emitWithAck("slow")
      .catch((err: Error) => err);
    const gone = waitFor(socket, "disconnect");
    client.disconnect();
    await gone;
    // Bounded: before the fix, the promise only settled at the 60 s deadline.
    const err = await Promise.race([rejected, new Promise((r) => setTimeout(r, 2000, "pending"))]);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe("operation has timed out");
    expect(calls).toHaveLength(1);
    const [[first]] = calls as [[Error]];
    expect(first.message).toBe("operation has timed out");
  });

  it("runs disconnecting and disconnect once when a disconnecting listener calls disconnect()", async () => {
    h = await startServer();
    const { socket, client } = await pair(h);
    const seen: string[] = [];
    socket.on("disconnecting", (reason) => {
      seen.push(`disconnecting:${reason}`);
      socket.disconnect();
    });
    socket.on("disconnect", (reason) => seen.push(`disconnect:${reason}`));
    const gone = waitFor(socket, "disconnect");
    client.disconnect();
    await gone;
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([
      "disconnecting:client namespace disconnect",
      "disconnect:client namespace disconnect",
    ]);
    expect(h.io.sockets.adapter.sids.size).toBe(0);
  });

  it("closes the session once when a disconnecting listener calls disconnect(true)", async () => {
    h = await startServer();
    h.io.of("/other");
    const connection = waitFor<[Socket]>(h.io, "connection");
    const peer = await openRawPeer(h.port);
    await rawConnect(peer);
    await rawConnect(peer, "/other");
    const [socket] = await connection;
    const seen: string[] = [];
    socket.on("disconnecting", (reason) => {
      seen.push(`disconnecting:${reason}`);
      socket.disconnect(true);
    });
    socket.on("disconnect", (reason) => seen.push(`disconnect:${reason}`));
    peer.send("41");
    await peer.closed();
    expect(seen).toEqual([
      "disconnecting:client namespace disconnect",
      "disconnect:client namespace disconnect",
    ]);
    expect(h.io.of("/other").sockets.size).toBe(0);
  });

  it("cleans up rooms and the namespace even when disconnecting and disconnect listeners throw", async () => {
    h = await startServer();
    const { socket, client } = await pair(h);
    await socket.join("r");
    const thrown: unknown[] = [];
    const onUncaught = (err: unknown) => thrown.push(err);
    const saved = process.listeners("uncaughtException");
    process.removeAllListeners("uncaughtException");
    process.on("uncaughtException", onUncaught);
    try {
      socket.on("disconnecting", () => {
        throw new Error("disconnecting failed");
      });
      socket.on("disconnect", () => {
        throw new Error("disconnect failed");
      });
      const gone = new Promise<void>((resolve) =>
        socket.prependListener("disconnect", () => resolve()),
      );
      client.disconnect();
      await gone;
      await new Promise((r) => setImmediate(r));
      expect(thrown.map((e) => (e as Error).message)).toEqual([
        "disconnecting failed",
        "disconnect failed",
      ]);
      expect(socket.connected).toBe(false);
      expect(h.io.sockets.sockets.size).toBe(0);
      expect(h.io.sockets.adapter.rooms.size).toBe(0);
    } finally {
      process.removeListener("uncaughtException", onUncaught);
      for (const l of saved) process.on("uncaughtException", l);
    }
  });
});

describe("socket lifecycle under hostile CONNECT bursts", () => {
  it("leaves no socket, room or sid behind after a burst of CONNECTs to one namespace", async () => {
    h = await startServer();
    h.io.use((_socket, next) => setTimeout(next, 5));
    const peer = await openRawPeer(h.port);
    for (let i = 0; i < 20; i++) peer.send("40");
    // The first reply arrives once its middleware ran; the rest is the peer's problem.
    expect(String(await peer.next())).toMatch(/^40\{"sid"/);
    peer.ws.terminate();
    for (let i = 0; i < 100 && h.io.engine.clientsCount > 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 30));
    expect(h.io.engine.clientsCount).toBe(0);
    expect(h.io.sockets.sockets.size).toBe(0);
    expect(h.io.sockets.adapter.sids.size).toBe(0);
    expect(h.io.sockets.adapter.rooms.size).toBe(0);
  });
});

describe("adapter listeners", () => {
  it("keeps connect and room bookkeeping whole when a room-event listener of the adapter throws", async () => {
    h = await startServer();
    const thrown: unknown[] = [];
    const onUncaught = (err: unknown) => thrown.push(err);
    const saved = process.listeners("uncaughtException");
    process.removeAllListeners("uncaughtException");
    process.on("uncaughtException", onUncaught);
    try {
      const adapter = h.io.sockets.adapter;
      for (const ev of ["create-room", "join-room", "leave-room", "delete-room"]) {
        adapter.on(ev, () => {
          throw new Error(ev);
        });
      }
      const { socket, client } = await pair(h);
      await socket.join(["a", "b"]);
      expect(socket.rooms).toEqual(new Set([socket.id, "a", "b"]));
      expect(adapter.rooms.get("b")).toEqual(new Set([socket.id]));
      const gone = waitFor(socket, "disconnect");
      client.disconnect();
      await gone;
      await new Promise((r) => setImmediate(r));
      expect(h.io.sockets.sockets.size).toBe(0);
      expect(adapter.rooms.size).toBe(0);
      expect(adapter.sids.size).toBe(0);
      expect(thrown.length).toBeGreaterThan(0);
    } finally {
      process.removeListener("uncaughtException", onUncaught);
      for (const l of saved) process.on("uncaughtException", l);
    }
  });
});
