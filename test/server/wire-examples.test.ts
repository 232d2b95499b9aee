// The valid wire examples of the protocol sheet (§2.2) on a non-default namespace, exchanged
// byte for byte with a raw WebSocket peer.

import type { Socket } from "@switchyard/server";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startServer, waitFor } from "./harness.js";
import { openRawPeer, type RawPeer } from "./raw-peer.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function adminPeer(harness: Harness): Promise<{ peer: RawPeer; socket: Socket }> {
  const connection = waitFor<[Socket]>(harness.io.of("/admin"), "connection");
  const peer = await openRawPeer(harness.port);
  peer.send("40/admin,");
  expect(String(await peer.next())).toMatch(/^40\/admin,\{"sid":"[\w-]{20}"\}$/);
  const [socket] = await connection;
  return { peer, socket };
}

describe("wire examples", () => {
  it('passes the auth of 40{"token":"123"} to handshake.auth', async () => {
    h = await startServer();
    const connection = waitFor<[Socket]>(h.io, "connection");
    const peer = await openRawPeer(h.port);
    peer.send('40{"token":"123"}');
    await peer.next();
    const [socket] = await connection;
    expect(socket.handshake.auth).toEqual({ token: "123" });
    peer.close();
  });

  it("defaults handshake.auth to {} for a bare 40", async () => {
    h = await startServer();
    const connection = waitFor<[Socket]>(h.io, "connection");
    const peer = await openRawPeer(h.port);
    peer.send("40");
    const [socket] = await connection;
    expect(socket.handshake.auth).toEqual({});
    peer.close();
  });

  it('receives 42/admin,["bar"] as an event of the /admin socket', async () => {
    h = await startServer();
    const { peer, socket } = await adminPeer(h);
    const got = waitFor<[string]>(socket, "bar");
    peer.send('42/admin,["bar","baz"]');
    expect(await got).toEqual(["baz"]);
    peer.close();
  });

  it('emits to /admin as 42/admin,[…] and takes the ack 43/admin,<id>["bar"]', async () => {
    h = await startServer();
    const { peer, socket } = await adminPeer(h);
    const answer = new Promise((resolve) => socket.emit("q", 1, resolve));
    const frame = String(await peer.next());
    const match = /^42\/admin,(\d+)\["q",1\]$/.exec(frame);
    expect(match).not.toBeNull();
    peer.send(`43/admin,${match?.[1]}["bar"]`);
    expect(await answer).toBe("bar");
    peer.close();
  });

  it("takes a binary ack 461-/admin,<id>[placeholder] plus its attachment", async () => {
    h = await startServer();
    const { peer, socket } = await adminPeer(h);
    const answer = new Promise<Buffer>((resolve) => socket.emit("file", resolve));
    const frame = String(await peer.next());
    const id = /^42\/admin,(\d+)\["file"\]$/.exec(frame)?.[1];
    peer.send(`461-/admin,${id}[{"_placeholder":true,"num":0}]`);
    peer.send(Buffer.from([4, 2]));
    expect(Buffer.from(await answer)).toEqual(Buffer.from([4, 2]));
    peer.close();
  });

  it("sends a binary event as 451-[…placeholder…] then the attachment", async () => {
    h = await startServer();
    const { peer, socket } = await adminPeer(h);
    socket.emit("baz", Buffer.from([1]));
    expect(String(await peer.next())).toBe('451-/admin,["baz",{"_placeholder":true,"num":0}]');
    expect(await peer.next()).toEqual(Buffer.from([1]));
    peer.close();
  });

  it("leaves /admin on 41/admin, and keeps / joined", async () => {
    h = await startServer();
    const { peer, socket } = await adminPeer(h);
    peer.send("40");
    await peer.next();
    const left = waitFor<[string]>(socket, "disconnect");
    peer.send("41/admin,");
    expect((await left)[0]).toBe("client namespace disconnect");
    expect(h.io.sockets.sockets.size).toBe(1);
    peer.close();
  });
});
