// Hand-written Socket.IO frames over HTTP long-polling (§2.2–2.5), including binary as b<base64>.

import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startServer, waitFor } from "./harness.js";
import { openPollingPeer, pollingSocket } from "./raw-polling.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("Socket.IO over raw long-polling", () => {
  it('answers 40 with 40{"sid":…} and an unknown namespace with 44/random,{…}', async () => {
    h = await startServer();
    const peer = await openPollingPeer(h.port);
    expect(await peer.post("40", "40/random,")).toBe(200);
    const packets = [...(await peer.poll())];
    while (packets.length < 2) packets.push(...(await peer.poll()));
    // The refusal is synchronous while the accepted CONNECT runs its (async) middlewares.
    expect(packets).toContain('44/random,{"message":"Invalid namespace"}');
    expect(packets.find((p) => p.startsWith("40"))).toMatch(/^40\{"sid":"[\w-]{20}"\}$/);
  });

  it("answers an event with ack and sends binary attachments as b<base64>", async () => {
    h = await startServer();
    h.io.on("connection", (s) =>
      s.on("blob", (n: number, ack: (b: Buffer) => void) => ack(Buffer.from([n, n + 1]))),
    );
    const peer = await openPollingPeer(h.port);
    await peer.post("40");
    await peer.poll();
    await peer.post('423["blob",7]');
    const packets = [...(await peer.poll())];
    while (packets.length < 2) packets.push(...(await peer.poll()));
    expect(packets).toEqual([
      '461-3[{"_placeholder":true,"num":0}]',
      `b${Buffer.from([7, 8]).toString("base64")}`,
    ]);
  });

  it("reassembles a binary event whose attachment arrives as b<base64>", async () => {
    h = await startServer();
    const { peer, socket } = await pollingSocket(h);
    const got = waitFor<[Buffer]>(socket, "up");
    await peer.post(
      '451-["up",{"_placeholder":true,"num":0}]',
      `b${Buffer.from("hi").toString("base64")}`,
    );
    const [data] = await got;
    expect(Buffer.from(data).toString()).toBe("hi");
  });

  it("closes the session on a duplicate CONNECT: the next poll carries the close packet", async () => {
    h = await startServer();
    const peer = await openPollingPeer(h.port);
    await peer.post("40");
    await peer.poll();
    const pending = peer.poll();
    await peer.post("40");
    // The official engine answers "6\x1e1" here; the close packet is what matters to the client.
    const packets = await pending;
    expect(packets[packets.length - 1]).toBe("1");
  });
});
