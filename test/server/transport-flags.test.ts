// Per-packet flags seen on the wire: `volatile` drops a packet while the transport cannot write
// it right now (no GET pending, a write in flight, or another packet already leaving in this
// tick), compared with the official server; `compress(false)` turns polling compression off.

import type { Socket } from "@switchyard/server";
import type { Socket as ClientSocket } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { connected, type Harness, idle, type ServerKind, startServer, waitFor } from "./harness.js";
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
    await idle(socket);
    socket.volatile.emit("v", 1);
    expect(await pending).toEqual(['42["v",1]']);
  });
});

/** Every event the client receives, binary arguments as byte arrays. */
function record(client: ClientSocket): { events: unknown[][]; end(n: number): Promise<void> } {
  const events: unknown[][] = [];
  const waiters = new Map<number, () => void>();
  client.onAny((...args: unknown[]) => {
    events.push(args.map((arg) => (Buffer.isBuffer(arg) ? [...arg] : arg)));
    if (args[0] === "end") waiters.get(args[1] as number)?.();
  });
  const end = (n: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no end ${n}`)), 3000);
      waiters.set(n, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  return { events, end };
}

describe.each<[ServerKind, "websocket" | "polling"]>([
  ["switchyard", "websocket"],
  ["switchyard", "polling"],
  ["official", "websocket"],
  ["official", "polling"],
])("volatile, as officially (%s server, %s)", (kind, transport) => {
  it("sends a volatile packet only when it can leave at once, for sockets and broadcasts", async () => {
    h = await startServer({}, kind);
    const connection = waitFor<[Socket]>(h.io, "connection");
    const client = h.client("/", { transports: [transport] });
    const { events, end } = record(client);
    await connected(client);
    const [socket] = await connection;
    await socket.join("room");
    const step = async (n: number, emit: () => void): Promise<void> => {
      await idle(socket);
      const ended = end(n);
      emit();
      h?.io.emit("end", n);
      await ended;
    };
    // A regular event leaves first: the transport is then busy and the volatile one is dropped.
    await step(1, () => {
      socket.emit("regular");
      socket.volatile.emit("v-after-regular");
    });
    // Of three volatile events in a row only the first can leave.
    await step(2, () => {
      socket.volatile.emit("v1");
      socket.volatile.emit("v2");
      socket.volatile.emit("v3");
    });
    // Binary: the attachment goes with its volatile packet, the next one is dropped whole.
    await step(3, () => {
      socket.volatile.emit("b1", Buffer.from([1, 2]));
      socket.volatile.emit("b2", Buffer.from([3]));
    });
    // Broadcasts, text then binary, to everyone and to a room.
    await step(4, () => {
      h?.io.volatile.emit("all1");
      h?.io.to("room").volatile.emit("room1");
    });
    await step(5, () => {
      h?.io.to("room").volatile.emit("room-bin", Buffer.from([4]));
      h?.io.volatile.emit("all-bin", Buffer.from([5]));
    });
    // After drops, regular events still arrive.
    await step(6, () => socket.emit("still", "here"));
    expect(events).toEqual([
      ["regular"],
      ["end", 1],
      ["v1"],
      ["end", 2],
      ["b1", [1, 2]],
      ["end", 3],
      ["all1"],
      ["end", 4],
      ["room-bin", [4]],
      ["end", 5],
      ["still", "here"],
      ["end", 6],
    ]);
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
