// Per-packet flags seen on the wire: `volatile` drops a packet while the transport cannot write
// (a polling session with no GET pending), `compress(false)` turns polling compression off.

import type { Socket } from "@switchyard/server";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startServer, waitFor } from "./harness.js";
import { openPollingPeer, pollingSocket } from "./raw-polling.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** One GET with gzip accepted: the packets and the Content-Encoding of the answer. */
async function rawGet(port: number, sid: string): Promise<{ packets: string[]; encoding: string }> {
  const res = await fetch(
    `http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling&sid=${sid}`,
    { headers: { "accept-encoding": "gzip" } },
  );
  const encoding = res.headers.get("content-encoding") ?? "identity";
  return { packets: (await res.text()).split("\x1e"), encoding };
}

describe("volatile", () => {
  it("drops volatile packets (socket and broadcast) while no poll is pending, keeps the others", async () => {
    h = await startServer();
    const { peer, socket } = await pollingSocket(h);
    socket.volatile.emit("v1");
    h.io.volatile.emit("v2");
    h.io.to(socket.id).volatile.emit("v3");
    socket.emit("kept", 1);
    h.io.emit("kept", 2);
    const packets = [...(await peer.poll())];
    while (packets.length < 2) packets.push(...(await peer.poll()));
    expect(packets).toEqual(['42["kept",1]', '42["kept",2]']);
  });

  it("delivers volatile packets while a poll is pending", async () => {
    h = await startServer();
    const { peer, socket } = await pollingSocket(h);
    const pending = peer.poll();
    // Wait until the GET has reached the server (the transport turns writable).
    while (socket.conn.transport.writable !== true) await new Promise((r) => setTimeout(r, 5));
    socket.volatile.emit("v", 1);
    expect(await pending).toEqual(['42["v",1]']);
  });
});

describe("compress", () => {
  it("gzips a large polling answer by default and leaves it plain with compress(false)", async () => {
    h = await startServer();
    const { peer, socket } = await pollingSocket(h);
    const big = "x".repeat(4096);
    socket.emit("big", big);
    const compressed = await rawGet(h.port, peer.sid);
    expect(compressed.encoding).toBe("gzip");
    expect(compressed.packets).toEqual([`42["big","${big}"]`]);
    socket.compress(false).emit("big", big);
    const plain = await rawGet(h.port, peer.sid);
    expect(plain.encoding).toBe("identity");
    expect(plain.packets).toEqual([`42["big","${big}"]`]);
  });

  it("carries compress(false) set on a socket into socket.to() and socket.broadcast", async () => {
    h = await startServer();
    const { peer, socket } = await pollingSocket(h);
    const other = waitFor<[Socket]>(h.io, "connection");
    const sender = await openPollingPeer(h.port);
    await sender.post("40");
    await sender.poll();
    const [from] = await other;
    const big = "z".repeat(4096);
    from.compress(false).to(socket.id).emit("big", big);
    expect((await rawGet(h.port, peer.sid)).encoding).toBe("identity");
    from.compress(false).broadcast.emit("big", big);
    expect((await rawGet(h.port, peer.sid)).encoding).toBe("identity");
    // The flag was reset after use.
    from.to(socket.id).emit("big", big);
    expect((await rawGet(h.port, peer.sid)).encoding).toBe("gzip");
  });

  it("applies compress(false) to broadcasts", async () => {
    h = await startServer();
    const { peer } = await pollingSocket(h);
    const big = "y".repeat(4096);
    h.io.compress(false).emit("big", big);
    expect((await rawGet(h.port, peer.sid)).encoding).toBe("identity");
    h.io.emit("big", big);
    expect((await rawGet(h.port, peer.sid)).encoding).toBe("gzip");
  });
});
