// A node whose subscription lost a message (as when a Redis Cluster failover re-makes it) reads
// the missing entries back from the room's history and delivers them first, in order: the next
// message of that room carries the previous entry's position and shows the loss.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { channelFor, createAdapter } from "@switchyard/adapter-redis";
import { type ClusterAdapter, Server } from "@switchyard/server";
import { waitFor, waitUntil } from "@switchyard/server/testing";
import { Redis } from "ioredis";
import { type Socket as ClientSocket, io as ioc } from "socket.io-client";
import { afterAll, describe, expect, inject, it } from "vitest";

const url = inject("redisUrl");

describe.skipIf(url === undefined)("catching up a lost message from the history (Redis)", () => {
  const clients: Redis[] = [];
  const servers: Server[] = [];
  const sockets: ClientSocket[] = [];

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await Promise.all(servers.map((io) => io.close()));
    for (const client of clients) client.disconnect();
  });

  async function node(key: string): Promise<{ io: Server; url: string; sub: Redis }> {
    const pub = new Redis(url ?? "");
    const sub = new Redis(url ?? "");
    clients.push(pub, sub);
    const http = createServer();
    const io = new Server(http, {
      adapter: createAdapter(pub, sub, { key, heartbeatInterval: 250, heartbeatTimeout: 2_500 }),
      connectionStateRecovery: {},
    });
    servers.push(io);
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    return { io, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, sub };
  }

  const adapterOf = (io: Server): ClusterAdapter => io.of("/").adapter as unknown as ClusterAdapter;

  /** Two nodes of their own cluster and a client on the second one, joined to `rooms`. */
  async function pair(rooms: string[]) {
    const key = `sy-catch-${Math.random().toString(36).slice(2)}`;
    const [a, b] = [await node(key), await node(key)];
    await waitUntil(async () => (await adapterOf(a.io).serverCount()) === 2, "both nodes met");
    const client = ioc(b.url, { transports: ["websocket"], reconnection: false });
    sockets.push(client);
    const [socket] = (
      await Promise.all([waitFor(b.io, "connection"), waitFor(client, "connect")])
    )[0] as [
      { join(rooms: string[]): Promise<void> | void; leave(room: string): Promise<void> | void },
    ];
    if (rooms.length > 0) await socket.join(rooms);
    await adapterOf(b.io).whenSubscribed();
    return { key, a, b, client, socket };
  }

  it("delivers the lost message before the one that showed the loss", async () => {
    const { key, a, b, client } = await pair(["room"]);
    const got: number[] = [];
    client.on("n", (n: number) => got.push(n));
    a.io.to("room").emit("n", 1);
    await waitUntil(() => got.length === 1, "the first message");
    // b's subscription to the room's channel goes away at the Redis level for one message.
    const channel = channelFor(key, "/", { kind: "room", room: "room" }, true);
    await b.sub.unsubscribe(channel);
    a.io.to("room").emit("n", 2);
    await adapterOf(a.io).whenStored();
    await b.sub.subscribe(channel);
    a.io.to("room").emit("n", 3);
    await waitUntil(() => got.length === 3, "the lost message and the next one");
    expect(got).toEqual([1, 2, 3]);
    expect(adapterOf(b.io).caughtUp).toBe(1);
  });

  it("delivers it even when the publisher's later events of another room came first", async () => {
    const { key, a, b, client } = await pair(["lossy", "other"]);
    const got: string[] = [];
    client.on("n", (room: string, n: number) => got.push(`${room}${n}`));
    a.io.to("lossy").emit("n", "lossy", 1);
    await waitUntil(() => got.length === 1, "the first message");
    const channel = channelFor(key, "/", { kind: "room", room: "lossy" }, true);
    await b.sub.unsubscribe(channel);
    a.io.to("lossy").emit("n", "lossy", 2);
    await adapterOf(a.io).whenStored();
    // a's next events, in another room, arrive (and number a's events past the lost one).
    a.io.to("other").emit("n", "other", 1);
    await waitUntil(() => got.length === 2, "the other room's message");
    await b.sub.subscribe(channel);
    a.io.to("lossy").emit("n", "lossy", 3);
    await waitUntil(() => got.length === 4, "the lost message and the next one");
    expect(got).toEqual(["lossy1", "other1", "lossy2", "lossy3"]);
  });

  it("forgets a room's publisher counters when the room goes (no growth with rooms over time)", async () => {
    const { a, b, client, socket } = await pair([]);
    const before = adapterOf(b.io).trackedLogCounters;
    let got = 0;
    client.on("t", () => got++);
    for (let i = 0; i < 20; i++) {
      await socket.join([`temp-${i}`]);
      await adapterOf(b.io).whenSubscribed();
      a.io.to(`temp-${i}`).emit("t");
      await waitUntil(() => got === i + 1, `the event of temp-${i}`);
      expect(adapterOf(b.io).trackedLogCounters).toBe(before + 1);
      await socket.leave(`temp-${i}`);
    }
    expect(adapterOf(b.io).trackedLogCounters).toBe(before);
  });
});
