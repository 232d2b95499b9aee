// Our Emitter with `format: "official"` drives official Socket.IO nodes (socket.io 4.8 with
// @socket.io/redis-adapter 8.3, the real packages): broadcasts, rooms, except, socketsJoin/Leave,
// disconnectSockets and serverSideEmit, published through ioredis and node-redis 4/5 clients.

import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdapter } from "@socket.io/redis-adapter";
import { Emitter } from "@switchyard/adapter-redis";
import { waitFor, waitUntil } from "@switchyard/server/testing";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { type Socket as ClientSocket, io as ioc } from "socket.io-client";
import { afterEach, describe, expect, inject, it } from "vitest";
import { closeClients, REDIS_LIBRARIES, redisClient } from "./redis-bus.js";

const url = inject("redisUrl");

describe.skipIf(url === undefined)("Emitter format 'official' to official socket.io nodes", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function officialNode(key: string): Promise<{ io: Server; url: string }> {
    const pub = new Redis(url ?? "");
    const sub = pub.duplicate();
    const http = createServer();
    const io = new Server(http, { adapter: createAdapter(pub, sub, { key }) });
    io.on("connection", (socket) => {
      socket.join((socket.handshake.auth["rooms"] as string[] | undefined) ?? []);
    });
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    cleanups.push(async () => {
      await io.close();
      pub.disconnect();
      sub.disconnect();
    });
    return { io, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
  }

  async function peer(
    at: string,
    rooms: string[],
  ): Promise<{ socket: ClientSocket; got: string[] }> {
    const socket = ioc(at, { transports: ["websocket"], reconnection: false, auth: { rooms } });
    const got: string[] = [];
    socket.onAny((event: string) => {
      if (event !== "probe") got.push(event);
    });
    cleanups.push(async () => {
      socket.disconnect();
    });
    await waitFor(socket, "connect");
    return { socket, got };
  }

  for (const library of REDIS_LIBRARIES) {
    it(`reaches the targeted sockets of official nodes (published with ${library})`, async () => {
      const key = `sy-offsrv-${randomBytes(4).toString("hex")}`;
      const [a, b] = [await officialNode(key), await officialNode(key)];
      const client = redisClient(library, url ?? "");
      cleanups.push(() => closeClients([client]));
      const emitter = new Emitter(client, { key, format: "official" });
      const a1 = await peer(a.url, ["r1"]);
      const b1 = await peer(b.url, ["r2"]);
      let probes = 0;
      const probed = new Set<ClientSocket>();
      for (const p of [a1, b1]) p.socket.on("probe", () => probed.add(p.socket));
      await waitUntil(() => {
        emitter.emit("probe", ++probes);
        return probed.size === 2;
      }, "the official nodes subscribed");
      const heard = [a, b].map(({ io }) => waitFor<unknown[]>(io.of("/"), "sse"));
      const bytes = waitFor<unknown[]>(a1.socket, "bytes");
      emitter.emit("all");
      emitter.to("r1").emit("one", Buffer.from([7]));
      emitter.except("r1").emit("ex");
      // An ArrayBuffer inside the data reaches the client as its bytes (not as an empty map).
      emitter.to("r1").emit("bytes", { inner: [new Uint8Array([4, 5]).buffer] });
      emitter.in("r2").socketsJoin("j");
      emitter.to("j").emit("in-j");
      emitter.socketsLeave("j");
      emitter.to("j").emit("after-leave");
      emitter.serverSideEmit("sse", { n: 1 });
      emitter.emit("end");
      await waitUntil(() => a1.got.includes("end") && b1.got.includes("end"), "the last one");
      expect(a1.got).toEqual(["all", "one", "bytes", "end"]);
      const [{ inner }] = (await bytes) as [{ inner: [ArrayBuffer] }];
      expect([...new Uint8Array(inner[0])]).toEqual([4, 5]);
      expect(b1.got).toEqual(["all", "ex", "in-j", "end"]);
      expect(await Promise.all(heard)).toEqual([[{ n: 1 }], [{ n: 1 }]]);
      const gone = waitFor<[string]>(b1.socket, "disconnect");
      emitter.in("r2").disconnectSockets();
      expect((await gone)[0]).toBe("io server disconnect");
      expect(a1.socket.connected).toBe(true);
    });
  }

  it("refuses format 'official' with sharded or recovery (official nodes have neither)", () => {
    const client = { publish: () => Promise.resolve(1) } as unknown as Redis;
    for (const options of [{ sharded: true }, { recovery: true }]) {
      expect(() => new Emitter(client, { ...options, format: "official" })).toThrow(
        expect.objectContaining({ code: "SY_ERR_ADAPTER_REDIS_INVALID_ARGUMENT" }),
      );
    }
  });
});
