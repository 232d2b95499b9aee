// Disconnections: every server DisconnectReason, event order, and state after leaving.

import type { DisconnectReason, Socket } from "@switchyard/server";
import { afterEach, describe, expect, it } from "vitest";
import { connected, type Harness, startServer, waitFor } from "./harness.js";
import { openRawPeer, rawConnect } from "./raw-peer.js";
import { pollingSocket } from "./raw-polling.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function clientPair(harness: Harness, nsp = "/") {
  const connection = waitFor<[Socket]>(harness.io.of(nsp), "connection");
  const client = harness.client(nsp);
  const [socket] = await connection;
  await connected(client);
  return { socket, client };
}

async function rawPair(harness: Harness) {
  const connection = waitFor<[Socket]>(harness.io, "connection");
  const peer = await openRawPeer(harness.port);
  await rawConnect(peer);
  const [socket] = await connection;
  return { socket, peer };
}

describe("disconnect reasons", () => {
  it("reports client namespace disconnect when the client leaves", async () => {
    h = await startServer();
    const { socket, client } = await clientPair(h);
    const reason = waitFor<[DisconnectReason]>(socket, "disconnect");
    client.disconnect();
    expect((await reason)[0]).toBe("client namespace disconnect");
    expect(socket.connected).toBe(false);
    expect(socket.disconnected).toBe(true);
    expect(socket.rooms.size).toBe(0);
  });

  it("sends 41 and reports server namespace disconnect on socket.disconnect()", async () => {
    h = await startServer();
    const { socket, peer } = await rawPair(h);
    const reason = waitFor<[DisconnectReason]>(socket, "disconnect");
    socket.disconnect();
    expect(String(await peer.next())).toBe("41");
    expect((await reason)[0]).toBe("server namespace disconnect");
    peer.send("40");
    expect(String(await peer.next())).toMatch(/^40\{"sid"/);
    peer.close();
  });

  it("makes the official client report io server disconnect", async () => {
    h = await startServer();
    const { socket, client } = await clientPair(h);
    const reason = waitFor<[string]>(client, "disconnect");
    socket.disconnect();
    expect((await reason)[0]).toBe("io server disconnect");
    expect(client.active).toBe(false);
  });

  it("leaves every namespace and closes the session on disconnect(true)", async () => {
    h = await startServer();
    h.io.of("/other");
    const { socket, peer } = await rawPair(h);
    const other = waitFor<[Socket]>(h.io.of("/other"), "connection");
    peer.send("40/other,");
    await peer.next();
    const [otherSocket] = await other;
    const reasons = Promise.all([
      waitFor(socket, "disconnect"),
      waitFor(otherSocket, "disconnect"),
    ]);
    socket.disconnect(true);
    const [[r1], [r2]] = await reasons;
    expect([r1, r2]).toEqual(["server namespace disconnect", "server namespace disconnect"]);
    await peer.closed();
  });

  it("reports transport close when the client's transport goes away", async () => {
    h = await startServer();
    const { socket, peer } = await rawPair(h);
    const reason = waitFor<[DisconnectReason]>(socket, "disconnect");
    peer.ws.terminate();
    expect((await reason)[0]).toBe("transport close");
  });

  it("reports ping timeout when the client stops answering pings", async () => {
    h = await startServer({ pingInterval: 30, pingTimeout: 30 });
    const { socket, peer } = await rawPair(h);
    peer.answerPings(false);
    const [reason] = await waitFor<[DisconnectReason]>(socket, "disconnect");
    expect(reason).toBe("ping timeout");
  });

  it("reports server shutting down on io.close(), without a DISCONNECT packet", async () => {
    h = await startServer();
    const { socket, peer } = await rawPair(h);
    const reason = waitFor<[DisconnectReason]>(socket, "disconnect");
    const closing = h.io.close();
    expect((await reason)[0]).toBe("server shutting down");
    await closing;
    await peer.closed();
    h = undefined;
  });

  it("reports forced server close when the connection is closed for a bad packet state", async () => {
    h = await startServer();
    const { socket, peer } = await rawPair(h);
    const reason = waitFor<[DisconnectReason]>(socket, "disconnect");
    peer.send("40");
    expect((await reason)[0]).toBe("forced server close");
    await peer.closed();
  });

  it("reports forced close after a decode error, with error emitted on the socket first", async () => {
    h = await startServer();
    const { socket, peer } = await rawPair(h);
    const events: string[] = [];
    socket.on("error", () => events.push("error"));
    const reason = waitFor<[DisconnectReason]>(socket, "disconnect");
    peer.send("4abc");
    expect((await reason)[0]).toBe("forced close");
    expect(events).toEqual(["error"]);
    await peer.closed();
  });

  it("fires disconnecting while the rooms are still joined, then disconnect", async () => {
    h = await startServer();
    const { socket, client } = await clientPair(h);
    await socket.join("kept");
    const seen: string[] = [];
    socket.on("disconnecting", (reason) =>
      seen.push(`disconnecting:${reason}:${[...socket.rooms].includes("kept")}`),
    );
    socket.on("disconnect", (reason) => seen.push(`disconnect:${reason}:${socket.rooms.size}`));
    const done = waitFor(socket, "disconnect");
    client.disconnect();
    await done;
    expect(seen).toEqual([
      "disconnecting:client namespace disconnect:true",
      "disconnect:client namespace disconnect:0",
    ]);
    expect(h.io.sockets.sockets.has(socket.id)).toBe(false);
  });

  it("keeps the session open after the client left every namespace", async () => {
    h = await startServer({ pingInterval: 50 });
    const { peer } = await rawPair(h);
    peer.send("41");
    // Several heartbeats go by (answered by the peer); nothing closes the session.
    await expect(peer.closed(300)).rejects.toThrow("server did not close");
    expect(String(await peer.next(200).catch(() => "none"))).toBe("none");
    expect(h.io.engine.clientsCount).toBe(1);
    await rawConnect(peer);
    peer.close();
  });

  it("drops an event whose dispatch was still pending when the client disconnected", async () => {
    h = await startServer();
    const { socket, peer } = await rawPair(h);
    let calls = 0;
    socket.on("late", () => calls++);
    peer.send('42["late"]');
    peer.send("41");
    await waitFor(socket, "disconnect");
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(0);
    peer.close();
  });

  it("reports parse error when the client sends a frame that is not Engine.IO", async () => {
    h = await startServer();
    const { socket, peer } = await rawPair(h);
    const reason = waitFor<[DisconnectReason]>(socket, "disconnect");
    peer.send("x-not-a-packet");
    expect((await reason)[0]).toBe("parse error");
  });

  it("reports transport error when a polling client sends two overlapping GETs", async () => {
    h = await startServer();
    const { peer, socket } = await pollingSocket(h);
    const reason = waitFor<[DisconnectReason]>(socket, "disconnect");
    void peer.poll().catch(() => undefined);
    void peer.poll().catch(() => undefined);
    expect((await reason)[0]).toBe("transport error");
  });
});
