// Connection state recovery: pid in the CONNECT reply, offsets on stored events, and restoring
// id, rooms, data and missed packets after a recoverable disconnection.

import type { Socket } from "@switchyard/server";
import { SessionAwareAdapter } from "@switchyard/server";
import type { Socket as ClientSocket, ManagerOptions, SocketOptions } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { connected, type Harness, startServer, waitFor } from "./harness.js";
import { openRawPeer, rawConnect } from "./raw-peer.js";
import { openPollingPeer } from "./raw-polling.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const RECONNECTING = { reconnection: true, reconnectionDelay: 20, randomizationFactor: 0 } as const;

/** Connects a reconnecting client (with `options` added) and returns its first server socket. */
async function firstConnection(
  harness: Harness,
  options: Partial<ManagerOptions & SocketOptions> = {},
): Promise<{ socket: Socket; client: ClientSocket }> {
  const connection = waitFor<[Socket]>(harness.io, "connection");
  const client = harness.client("/", { ...RECONNECTING, ...options });
  const [socket] = await connection;
  await connected(client);
  return { socket, client };
}

/** Sends a stored event and waits for it: the client now has an offset to recover from. */
async function prime(harness: Harness, client: ClientSocket): Promise<void> {
  const primed = waitFor(client, "p");
  harness.io.emit("p");
  await primed;
}

/** Cuts the transport and waits for the server side to see it. */
async function cut(socket: Socket, client: ClientSocket): Promise<void> {
  const gone = waitFor<[string]>(socket, "disconnect");
  client.io.engine.close();
  expect((await gone)[0]).toBe("transport close");
}

describe("connection state recovery", () => {
  it('adds a pid to the CONNECT reply: 40{"sid":…,"pid":…}', async () => {
    h = await startServer({ connectionStateRecovery: {} });
    const peer = await openRawPeer(h.port);
    peer.send("40");
    expect(String(await peer.next())).toMatch(/^40\{"sid":"[\w-]{20}","pid":"[\w-]{20}"\}$/);
    peer.close();
  });

  it("appends an offset to stored events, but not to events with an ack or volatile ones", async () => {
    h = await startServer({ connectionStateRecovery: {} });
    const connection = waitFor<[Socket]>(h.io, "connection");
    const peer = await openRawPeer(h.port);
    await rawConnect(peer);
    const [socket] = await connection;
    socket.emit("stored", 1);
    expect(String(await peer.next())).toMatch(/^42\["stored",1,"[\w.]+"\]$/);
    socket.emit("acked", 2, () => undefined);
    expect(String(await peer.next())).toMatch(/^42\d+\["acked",2\]$/);
    h.io.volatile.emit("volatile", 3);
    expect(String(await peer.next())).toBe('42["volatile",3]');
    peer.close();
  });

  it("restores id, rooms and data and replays missed packets before connect", async () => {
    h = await startServer({ connectionStateRecovery: {} });
    const { socket, client } = await firstConnection(h);
    await socket.join("room");
    socket.data = { user: "ann" };
    const got: unknown[] = [];
    client.on("msg", (value: unknown) => got.push(value));
    const first = waitFor(client, "msg");
    h.io.emit("msg", 1);
    await first;
    await cut(socket, client);
    h.io.emit("msg", 2);
    h.io.to("room").emit("msg", 3);
    h.io.to("elsewhere").emit("msg", 4);
    const atConnect: unknown[][] = [];
    client.once("connect", () => atConnect.push([...got]));
    const again = waitFor<[Socket]>(h.io, "connection");
    const [restored] = await again;
    await connected(client);
    expect(restored.recovered).toBe(true);
    expect(restored.id).toBe(socket.id);
    expect(restored.rooms).toEqual(new Set([socket.id, "room"]));
    expect(restored.data).toEqual({ user: "ann" });
    expect(client.recovered).toBe(true);
    expect(atConnect).toEqual([[1, 2, 3]]);
  });

  for (const { name, recovery, expectedRuns } of [
    { name: "skips the connect middlewares on recovery by default", recovery: {}, expectedRuns: 1 },
    {
      name: "runs the middlewares on recovery with skipMiddlewares: false",
      recovery: { skipMiddlewares: false },
      expectedRuns: 2,
    },
  ]) {
    it(name, async () => {
      h = await startServer({ connectionStateRecovery: recovery });
      let runs = 0;
      h.io.use((_s, next) => {
        runs++;
        next();
      });
      const { socket, client } = await firstConnection(h);
      await prime(h, client);
      await cut(socket, client);
      const [restored] = await waitFor<[Socket]>(h.io, "connection");
      expect(restored.recovered).toBe(true);
      expect(runs).toBe(expectedRuns);
    });
  }

  it("starts a fresh session when the client never received an event", async () => {
    h = await startServer({ connectionStateRecovery: {} });
    const { socket, client } = await firstConnection(h);
    await cut(socket, client);
    const [fresh] = await waitFor<[Socket]>(h.io, "connection");
    await connected(client);
    expect(fresh.recovered).toBe(false);
    expect(fresh.id).not.toBe(socket.id);
    expect(client.recovered).toBe(false);
  });

  it("does not save the session after a client namespace disconnect", async () => {
    h = await startServer({ connectionStateRecovery: {} });
    const connection = waitFor<[Socket]>(h.io, "connection");
    const peer = await openRawPeer(h.port);
    peer.send("40");
    const [socket] = await connection;
    const { pid } = JSON.parse(String(await peer.next()).slice(2)) as { pid: string };
    h.io.emit("e");
    const event = String(await peer.next());
    const offset = (JSON.parse(event.slice(2)) as string[])[1];
    const left = waitFor(socket, "disconnect");
    peer.send("41");
    await left;
    peer.send(`40${JSON.stringify({ pid, offset })}`);
    const reply = JSON.parse(String(await peer.next()).slice(2)) as { pid: string };
    expect(reply.pid).not.toBe(pid);
    peer.close();
  });

  it("refuses an expired session", async () => {
    h = await startServer({ connectionStateRecovery: { maxDisconnectionDuration: 0 } });
    const { socket, client } = await firstConnection(h);
    await prime(h, client);
    await cut(socket, client);
    // The client reconnects after reconnectionDelay (20 ms), later than the 0 ms allowance.
    const [fresh] = await waitFor<[Socket]>(h.io, "connection");
    expect(fresh.recovered).toBe(false);
  });
});

describe("connection state recovery: what is stored", () => {
  it("replays only the stored events: not volatile ones, not those with an ack", async () => {
    h = await startServer({ connectionStateRecovery: {} });
    const { socket, client } = await firstConnection(h);
    const got: unknown[][] = [];
    client.onAny((...args: unknown[]) => got.push(args));
    const primed = waitFor(client, "p");
    h.io.emit("p", 0);
    await primed;
    await cut(socket, client);
    h.io.volatile.emit("volatile", 1);
    h.io.timeout(10).emit("acked", 2, () => undefined);
    h.io.emit("stored", 3);
    const [restored] = await waitFor<[Socket]>(h.io, "connection");
    await connected(client);
    expect(restored.recovered).toBe(true);
    expect(got.map(([name]) => name)).toEqual(["p", "stored"]);
    // Listeners see the offset as an extra, last argument.
    expect(got[1]?.slice(0, 2)).toEqual(["stored", 3]);
    expect(typeof got[1]?.[2]).toBe("string");
  });

  it("replays a missed binary event with its attachments", async () => {
    h = await startServer({ connectionStateRecovery: {} });
    const { socket, client } = await firstConnection(h);
    await prime(h, client);
    await cut(socket, client);
    h.io.emit("bin", Buffer.from([7, 8]), { nested: Buffer.from([9]) });
    const missed = waitFor<[ArrayBuffer, { nested: ArrayBuffer }, string]>(client, "bin");
    const [restored] = await waitFor<[Socket]>(h.io, "connection");
    expect(restored.recovered).toBe(true);
    const [data, { nested }, offset] = await missed;
    expect(Buffer.from(data)).toEqual(Buffer.from([7, 8]));
    expect(Buffer.from(nested)).toEqual(Buffer.from([9]));
    expect(typeof offset).toBe("string");
  });

  it("starts fresh when the client only ever received volatile events or events with an ack", async () => {
    h = await startServer({ connectionStateRecovery: {} });
    const { socket, client } = await firstConnection(h);
    client.on("asked", (ack: () => void) => ack());
    const volatile = waitFor(client, "v");
    h.io.volatile.emit("v");
    await volatile;
    await socket.timeout(1000).emitWithAck("asked");
    await cut(socket, client);
    const [fresh] = await waitFor<[Socket]>(h.io, "connection");
    expect(fresh.recovered).toBe(false);
    expect(fresh.id).not.toBe(socket.id);
  });

  it("shows pid and offset in handshake.auth of the recovered socket, next to the user auth", async () => {
    h = await startServer({ connectionStateRecovery: {} });
    const { socket, client } = await firstConnection(h, { auth: { token: "t" } });
    await prime(h, client);
    await cut(socket, client);
    const [restored] = await waitFor<[Socket]>(h.io, "connection");
    expect(restored.recovered).toBe(true);
    expect(restored.handshake.auth).toEqual({
      token: "t",
      pid: expect.any(String),
      offset: expect.any(String),
    });
  });

  it("refuses a session once the sweep has expired it and its packets", async () => {
    h = await startServer({ connectionStateRecovery: { maxDisconnectionDuration: 60_000 } });
    const { socket, client } = await firstConnection(h);
    await prime(h, client);
    const adapter = h.io.sockets.adapter;
    expect(adapter).toBeInstanceOf(SessionAwareAdapter);
    const gone = waitFor<[string]>(socket, "disconnect");
    // Sweep as if the allowance had passed, between the disconnection and the reconnection.
    client.io.once("reconnect_attempt", () =>
      (adapter as SessionAwareAdapter).sweep(Date.now() + 120_000),
    );
    client.io.engine.close();
    await gone;
    const [fresh] = await waitFor<[Socket]>(h.io, "connection");
    expect(fresh.recovered).toBe(false);
  });

  it("recovers over HTTP long-polling too", async () => {
    h = await startServer({ connectionStateRecovery: {} });
    const { socket, client } = await firstConnection(h, { transports: ["polling"] });
    await prime(h, client);
    const gone = waitFor(socket, "disconnect");
    client.io.engine.close();
    await gone;
    h.io.emit("missed", 1);
    const missed = waitFor<[number]>(client, "missed");
    const [restored] = await waitFor<[Socket]>(h.io, "connection");
    expect(restored.recovered).toBe(true);
    expect((await missed)[0]).toBe(1);
  });
});

/** A raw peer with a stored event received: returns its pid and last offset. */
async function primedRawPeer(harness: Harness) {
  const connection = waitFor<[Socket]>(harness.io, "connection");
  const peer = await openRawPeer(harness.port);
  peer.send("40");
  const { pid } = JSON.parse(String(await peer.next()).slice(2)) as { pid: string };
  const [socket] = await connection;
  await socket.join("kept");
  harness.io.emit("e");
  const offset = (JSON.parse(String(await peer.next()).slice(2)) as string[])[1] as string;
  return { peer, socket, pid, offset };
}

/** Reconnects with `pid`/`offset` on a fresh raw peer; resolves with the new server socket. */
async function reconnectRaw(harness: Harness, pid: string, offset: string) {
  const connection = waitFor<[Socket]>(harness.io, "connection");
  const peer = await openRawPeer(harness.port);
  peer.send(`40${JSON.stringify({ pid, offset })}`);
  const reply = JSON.parse(String(await peer.next()).slice(2)) as { sid: string; pid: string };
  const [socket] = await connection;
  peer.close();
  return { socket, reply };
}

describe("connection state recovery: which disconnections are recoverable", () => {
  it("recovers after forced close (a decode error)", async () => {
    h = await startServer({ connectionStateRecovery: {} });
    const { peer, socket, pid, offset } = await primedRawPeer(h);
    const gone = waitFor<[string]>(socket, "disconnect");
    peer.send("4abc");
    expect((await gone)[0]).toBe("forced close");
    const { socket: restored, reply } = await reconnectRaw(h, pid, offset);
    expect(restored.recovered).toBe(true);
    expect(reply).toEqual({ sid: socket.id, pid });
    expect(restored.rooms.has("kept")).toBe(true);
  });

  it("recovers after ping timeout", async () => {
    h = await startServer({ connectionStateRecovery: {}, pingInterval: 30, pingTimeout: 30 });
    const { peer, socket, pid, offset } = await primedRawPeer(h);
    peer.answerPings(false);
    expect((await waitFor<[string]>(socket, "disconnect"))[0]).toBe("ping timeout");
    const { socket: restored } = await reconnectRaw(h, pid, offset);
    expect(restored.recovered).toBe(true);
    expect(restored.id).toBe(socket.id);
  });

  it("recovers after forced server close (a duplicate CONNECT)", async () => {
    h = await startServer({ connectionStateRecovery: {} });
    const { peer, socket, pid, offset } = await primedRawPeer(h);
    const gone = waitFor<[string]>(socket, "disconnect");
    peer.send("40");
    expect((await gone)[0]).toBe("forced server close");
    const { socket: restored } = await reconnectRaw(h, pid, offset);
    expect(restored.recovered).toBe(true);
  });

  it("recovers after transport error (two overlapping polling GETs)", async () => {
    h = await startServer({ connectionStateRecovery: {} });
    const connection = waitFor<[Socket]>(h.io, "connection");
    const peer = await openPollingPeer(h.port);
    await peer.post("40");
    const { pid } = JSON.parse(((await peer.poll())[0] as string).slice(2)) as { pid: string };
    const [socket] = await connection;
    h.io.emit("e");
    const offset = (
      JSON.parse(((await peer.poll())[0] as string).slice(2)) as string[]
    )[1] as string;
    const gone = waitFor<[string]>(socket, "disconnect");
    void peer.poll().catch(() => undefined);
    void peer.poll().catch(() => undefined);
    expect((await gone)[0]).toBe("transport error");
    const { socket: restored } = await reconnectRaw(h, pid, offset);
    expect(restored.recovered).toBe(true);
    expect(restored.id).toBe(socket.id);
  });

  it("does not save the session after server namespace disconnect", async () => {
    h = await startServer({ connectionStateRecovery: {} });
    const { peer, socket, pid, offset } = await primedRawPeer(h);
    const gone = waitFor<[string]>(socket, "disconnect");
    socket.disconnect();
    expect((await gone)[0]).toBe("server namespace disconnect");
    peer.close();
    const { socket: fresh, reply } = await reconnectRaw(h, pid, offset);
    expect(fresh.recovered).toBe(false);
    expect(reply.pid).not.toBe(pid);
  });
});
