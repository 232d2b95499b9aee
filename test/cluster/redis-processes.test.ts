// The Redis adapter with every node in its own OS process against a real redis-server: rooms,
// fetchSockets, the Emitter from a non-server process, and a node killed without ADAPTER_CLOSE.
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { Emitter } from "@switchyard/adapter-redis";
import { Redis } from "ioredis";
import { type Socket as ClientSocket, io as ioc } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { waitFor, waitUntil } from "./cluster-harness.js";
import { ask, countsAll, spawnNode } from "./support/node-processes.js";

const url = inject("redisUrl");
const key = `sy-proc-${randomBytes(4).toString("hex")}`;

const ENV = { REDIS_URL: url, SY_KEY: key };

describe.skipIf(url === undefined)("redis adapter across OS processes", () => {
  const children: ChildProcess[] = [];
  const clients: ClientSocket[] = [];
  let redis: Redis;

  beforeAll(async () => {
    redis = new Redis(url ?? "");
    redis.on("error", () => undefined);
    const started = await Promise.all([
      spawnNode("redis-node.ts", ENV),
      spawnNode("redis-node.ts", ENV),
      spawnNode("redis-node.ts", ENV),
    ]);
    for (const { child, port } of started) {
      children.push(child);
      const client = ioc(`http://127.0.0.1:${port}`, {
        forceNew: true,
        reconnection: false,
        transports: ["websocket"],
      });
      clients.push(client);
      await waitFor(client, "connect");
    }
    await waitUntil(() => countsAll(clients, 3), "three processes count three servers", 15_000);
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, "exit");
        child.kill("SIGTERM");
        await exited;
      }),
    );
    redis?.disconnect();
  });

  it("delivers a room broadcast from one process to the members in every process", async () => {
    for (const client of clients) await ask(client, "join", "proc-room");
    const arrived = clients.map((c) => waitFor(c, "hello"));
    clients[0]?.emit("broadcast", "proc-room", "hello", { from: 0 });
    for (const args of await Promise.all(arrived)) expect(args).toEqual([{ from: 0 }]);
  });

  it("fetches the sockets of every process", async () => {
    const ids = await ask<string[]>(clients[1] as ClientSocket, "fetch", "proc-room");
    expect(ids).toEqual(clients.map((c) => c.id).sort());
  });

  it("reaches every process's room members from an Emitter in a non-server process", async () => {
    const arrived = clients.map((c) => waitFor(c, "from-emitter"));
    new Emitter(redis, { key }).to("proc-room").emit("from-emitter", 7);
    for (const args of await Promise.all(arrived)) expect(args).toEqual([7]);
  });

  it("stops counting a node killed without ADAPTER_CLOSE after the heartbeat timeout", async () => {
    const victim = children[2] as ChildProcess;
    const exited = once(victim, "exit");
    victim.kill("SIGKILL");
    await exited;
    const started = Date.now();
    const survivor = clients[0] as ClientSocket;
    await waitUntil(
      async () => (await ask<number>(survivor, "count")) === 2,
      "the dead node is dropped",
      10_000,
    );
    expect(Date.now() - started).toBeLessThan(8000);
    const ids = await ask<string[]>(survivor, "fetch", "proc-room");
    expect(ids).toEqual([clients[0]?.id, clients[1]?.id].sort());
  });
});
