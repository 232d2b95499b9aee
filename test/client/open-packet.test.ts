// The open packets of other Engine.IO v4 servers, against a scripted server (exact wire
// control): our client connects wherever the official client does (docs/interop.md).
import type { EngineSocket, Socket } from "@switchyard/client";
import { afterEach, describe, expect, it } from "vitest";
import { Clients, waitFor } from "./helpers.js";
import { type RawEnginePeer, startRawEnginePeer } from "./raw-engine-peer.js";

function engineOf(socket: Socket): EngineSocket {
  const engine = socket.io.engine;
  if (engine === undefined) throw new Error("the manager has no engine yet");
  return engine;
}

describe("open packets of other servers", () => {
  const clients = new Clients();
  let peer: RawEnginePeer | undefined;
  afterEach(async () => {
    clients.closeAll();
    await peer?.close();
    peer = undefined;
  });

  it("connects without maxPayload (python-engineio < 4.4) and then sends POSTs unsplit", async () => {
    peer = await startRawEnginePeer({
      pingInterval: 10_000,
      pingTimeout: 10_000,
      maxPayload: undefined,
    });
    const socket = clients.open(peer.url, { transports: ["polling"], reconnection: false });
    const [handshake] = await waitFor<[Record<string, unknown>]>(engineOf(socket), "handshake");
    expect(handshake).not.toHaveProperty("maxPayload");
    expect(await peer.nextPost()).toBe("40");
    peer.push('40{"sid":"s1"}');
    await waitFor(socket, "connect");
    // The first emit leaves at once; the others wait for its POST and then leave together.
    const first = peer.nextPost();
    for (const text of ["aaaa", "bbbb", "cccc", "dddd"]) socket.emit("e", text);
    expect(await first).toBe('42["e","aaaa"]');
    expect(await peer.nextPost()).toBe('42["e","bbbb"]\x1e42["e","cccc"]\x1e42["e","dddd"]');
  });

  it("still splits POSTs by a maxPayload the server sends", async () => {
    peer = await startRawEnginePeer({ pingInterval: 10_000, pingTimeout: 10_000, maxPayload: 20 });
    const socket = clients.open(peer.url, { transports: ["polling"], reconnection: false });
    await peer.nextPost();
    peer.push('40{"sid":"s1"}');
    await waitFor(socket, "connect");
    const first = peer.nextPost();
    for (const text of ["aaaa", "bbbb", "cccc", "dddd"]) socket.emit("e", text);
    expect(await first).toBe('42["e","aaaa"]');
    expect(await peer.nextPost()).toBe('42["e","bbbb"]');
    expect(await peer.nextPost()).toBe('42["e","cccc"]');
    expect(await peer.nextPost()).toBe('42["e","dddd"]');
  });

  it("ignores extra keys and upgrade names it does not know, and stays on polling", async () => {
    peer = await startRawEnginePeer({
      pingInterval: 10_000,
      pingTimeout: 10_000,
      upgrades: ["webtransport", "carrier-pigeon", 7],
      serverVersion: "x",
    });
    const socket = clients.open(peer.url, { reconnection: false });
    expect(await peer.nextPost()).toBe("40");
    peer.push('40{"sid":"s1"}');
    await waitFor(socket, "connect");
    expect(engineOf(socket).transport.name).toBe("polling");
    expect(engineOf(socket).upgrading).toBe(false);
  });

  it("refuses an open packet without a heartbeat (pingTimeout missing)", async () => {
    peer = await startRawEnginePeer({ pingInterval: 10_000, pingTimeout: undefined });
    const socket = clients.open(peer.url, { transports: ["polling"], reconnection: false });
    const [err] = await waitFor<[Error & { code?: string }]>(socket, "connect_error");
    expect(err.message).toBe("invalid open packet");
  });
});
