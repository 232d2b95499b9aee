// Connection state recovery: pid in the CONNECT reply, offsets on stored events, and restoring
// id, rooms, data and missed packets after a recoverable disconnection.

import type { Socket } from "@switchyard/server";
import type { Socket as ClientSocket } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { connected, type Harness, startServer, waitFor } from "./harness.js";
import { openRawPeer, rawConnect } from "./raw-peer.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const RECONNECTING = { reconnection: true, reconnectionDelay: 20, randomizationFactor: 0 } as const;

/** Connects a reconnecting client and returns its first server socket. */
async function firstConnection(
  harness: Harness,
): Promise<{ socket: Socket; client: ClientSocket }> {
  const connection = waitFor<[Socket]>(harness.io, "connection");
  const client = harness.client("/", RECONNECTING);
  const [socket] = await connection;
  await connected(client);
  return { socket, client };
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

  it("skips the connect middlewares on recovery by default", async () => {
    h = await startServer({ connectionStateRecovery: {} });
    let runs = 0;
    h.io.use((_s, next) => {
      runs++;
      next();
    });
    const { socket, client } = await firstConnection(h);
    const primed = waitFor(client, "p");
    h.io.emit("p");
    await primed;
    await cut(socket, client);
    const [restored] = await waitFor<[Socket]>(h.io, "connection");
    expect(restored.recovered).toBe(true);
    expect(runs).toBe(1);
  });

  it("runs the middlewares on recovery with skipMiddlewares: false", async () => {
    h = await startServer({ connectionStateRecovery: { skipMiddlewares: false } });
    let runs = 0;
    h.io.use((_s, next) => {
      runs++;
      next();
    });
    const { socket, client } = await firstConnection(h);
    const primed = waitFor(client, "p");
    h.io.emit("p");
    await primed;
    await cut(socket, client);
    const [restored] = await waitFor<[Socket]>(h.io, "connection");
    expect(restored.recovered).toBe(true);
    expect(runs).toBe(2);
  });

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
    const primed = waitFor(client, "p");
    h.io.emit("p");
    await primed;
    await cut(socket, client);
    // The client reconnects after reconnectionDelay (20 ms), later than the 0 ms allowance.
    const [fresh] = await waitFor<[Socket]>(h.io, "connection");
    expect(fresh.recovered).toBe(false);
  });
});
