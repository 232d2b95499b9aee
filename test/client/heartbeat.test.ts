// Heartbeat and hostile input, against a scripted Engine.IO server (exact wire control).
import { afterEach, describe, expect, it } from "vitest";
import { Clients, waitFor } from "./helpers.js";
import { type RawEnginePeer, startRawEnginePeer } from "./raw-engine-peer.js";

describe("engine heartbeat and bad input", () => {
  const clients = new Clients();
  let peer: RawEnginePeer | undefined;
  afterEach(async () => {
    clients.closeAll();
    await peer?.close();
    peer = undefined;
  });

  it("answers a server ping with a pong and emits ping on the Manager", async () => {
    peer = await startRawEnginePeer({ pingInterval: 10_000, pingTimeout: 10_000 });
    const socket = clients.open(peer.url, { transports: ["polling"], reconnection: false });
    const connectPacket = await peer.nextPost();
    expect(connectPacket).toBe("40");
    const pinged = waitFor(socket.io, "ping");
    const pong = peer.nextPost();
    peer.push("2");
    await pinged;
    expect(await pong).toBe("3");
  });

  it("closes with ping timeout when no ping arrives within pingInterval + pingTimeout", async () => {
    peer = await startRawEnginePeer({ pingInterval: 60, pingTimeout: 40 });
    const socket = clients.open(peer.url, { transports: ["polling"], reconnection: false });
    const [reason] = await waitFor<[string]>(socket.io, "close", 3000);
    expect(reason).toBe("ping timeout");
    // Measured from when the server answered the handshake: the client's timer cannot start
    // earlier, so load on the machine can only make this longer (1 ms for clock granularity).
    expect(Date.now() - peer.handshakeAt).toBeGreaterThanOrEqual(99);
  });

  it("closes with parse error when the server sends an undecodable Socket.IO packet", async () => {
    peer = await startRawEnginePeer({ pingInterval: 10_000, pingTimeout: 10_000 });
    const socket = clients.open(peer.url, { transports: ["polling"], reconnection: false });
    await peer.nextPost();
    const closed = waitFor<[string, unknown]>(socket.io, "close");
    peer.push('40{"sid":"s1"}\x1e4abc');
    const [reason, description] = await closed;
    expect(reason).toBe("parse error");
    expect(description).toHaveProperty("code", "SY_ERR_PROTOCOL_UNKNOWN_PACKET_TYPE");
  });

  it("reports an undecodable Engine.IO payload as a transport error", async () => {
    peer = await startRawEnginePeer({ pingInterval: 10_000, pingTimeout: 10_000 });
    const socket = clients.open(peer.url, { transports: ["polling"], reconnection: false });
    await peer.nextPost();
    const closed = waitFor<[string]>(socket.io, "close");
    peer.push("zzz");
    expect((await closed)[0]).toBe("transport error");
  });

  it("treats a server close packet as transport close and reconnects", async () => {
    peer = await startRawEnginePeer({ pingInterval: 10_000, pingTimeout: 10_000 });
    const socket = clients.open(peer.url, { transports: ["polling"] });
    await peer.nextPost();
    const closed = waitFor<[string]>(socket.io, "close");
    const reconnecting = waitFor(socket.io, "reconnect_attempt");
    peer.push("1");
    expect((await closed)[0]).toBe("transport close");
    await reconnecting;
  });
});
