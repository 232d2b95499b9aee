// The IPC adapter across real node:cluster workers: setupPrimary with three workers running our
// Server with `createAdapter()`, and a user-run primary with `setupPrimaryRelay()`.
import { waitFor, waitUntil } from "@switchyard/server/testing";
import type { Socket as ClientSocket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, connectClients } from "./nodes.js";
import { type FixtureProcess, startFixture } from "./support/ipc-process.js";

interface Who {
  nodeId: string;
  pid: number;
}

interface Asked {
  answers: string[];
  ms: number;
  error?: string;
}

function ask<T>(client: ClientSocket, ev: string, ...args: unknown[]): Promise<T> {
  return client.timeout(8_000).emitWithAck(ev, ...args) as Promise<T>;
}

/** Connects clients until every one of `nodes` workers has one; returns one client per worker. */
async function onePerWorker(
  url: string,
  nodes: number,
  into: ClientSocket[],
): Promise<Map<string, { client: ClientSocket; who: Who }>> {
  const byNode = new Map<string, { client: ClientSocket; who: Who }>();
  for (let round = 0; round < 5 && byNode.size < nodes; round++) {
    for (const client of await connectClients(url, nodes * 2, into)) {
      const who = await ask<Who>(client, "whoami");
      if (!byNode.has(who.nodeId)) byNode.set(who.nodeId, { client, who });
    }
  }
  return byNode;
}

describe("IPC adapter through setupPrimary with three workers", () => {
  let fixture: FixtureProcess<{ port: number }>;
  let url = "";
  const clients: ClientSocket[] = [];
  let workers: { client: ClientSocket; who: Who }[] = [];

  beforeAll(async () => {
    fixture = await startFixture<{ port: number }>("ipc-app.ts", { WORKERS: "3" });
    url = `http://127.0.0.1:${fixture.info.port}`;
    workers = [...(await onePerWorker(url, 3, clients)).values()];
    expect(workers).toHaveLength(3);
    await waitUntil(
      async () => {
        const counts = await Promise.all(workers.map((w) => ask<number>(w.client, "count")));
        return counts.every((n) => n === 3);
      },
      "every worker counts three servers",
      15_000,
    );
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await fixture?.stop();
  });

  it("delivers io.to(room).emit from any worker to the members on the other workers only", async () => {
    const [a, b, c] = workers.map((w) => w.client) as [ClientSocket, ClientSocket, ClientSocket];
    const room = `ipc-room-${Math.random()}`;
    await ask(a, "join", room);
    await ask(b, "join", room);
    const got: string[] = [];
    c.on("in-room", () => got.push("c"));
    const arrived = [waitFor(a, "in-room"), waitFor(b, "in-room")];
    c.emit("broadcast", room, "in-room", { from: "c" });
    for (const args of await Promise.all(arrived)) expect(args).toEqual([{ from: "c" }]);
    const fences = [a, b, c].map((client) => waitFor(client, "fence"));
    c.emit("broadcast", null, "fence", 1);
    await Promise.all(fences);
    expect(got).toEqual([]);
  });

  it("delivers io.emit from one worker to the clients of every worker", async () => {
    const all = workers.map((w) => w.client);
    const arrived = all.map((client) => waitFor(client, "everyone"));
    all[1]?.emit("broadcast", null, "everyone", "hi");
    for (const args of await Promise.all(arrived)) expect(args).toEqual(["hi"]);
  });

  it("fetches the sockets of every worker", async () => {
    const room = `ipc-fetch-${Math.random()}`;
    for (const { client } of workers) await ask(client, "join", room);
    for (const { client } of workers) {
      const ids = await ask<string[]>(client, "fetch", room);
      expect(ids).toEqual(workers.map((w) => w.client.id).sort());
    }
  });

  it("collects serverSideEmit acks from the other workers", async () => {
    for (const { client, who } of workers) {
      const { answers, error } = await ask<Asked>(client, "ask-servers");
      expect(error).toBeUndefined();
      expect(answers).toEqual(
        workers
          .map((w) => w.who.nodeId)
          .filter((id) => id !== who.nodeId)
          .sort(),
      );
    }
  });

  it("ignores foreign and malformed IPC messages in both directions and keeps working", async () => {
    const [a, b] = workers.map((w) => w.client) as [ClientSocket, ClientSocket];
    const before = await ask<{ ignored: number; malformed: number }>(a, "relay-stats");
    const counters = await ask<{ bus: { ignored: number; malformed: number }; dropped: number }>(
      a,
      "garbage",
    );
    // Sent back to the worker: 7 foreign values (with the sticky-marked one and the answer), 6
    // malformed adapter messages, and a well-formed delivery of garbage bytes the adapter drops.
    expect(counters.bus.ignored).toBeGreaterThanOrEqual(7);
    expect(counters.bus.malformed).toBeGreaterThanOrEqual(6);
    expect(counters.dropped).toBeGreaterThanOrEqual(1);
    // Sent by the worker to the relay: the same 7 foreign values, 7 malformed adapter messages.
    const after = await ask<{ ignored: number; malformed: number }>(b, "relay-stats");
    expect(after.ignored - before.ignored).toBeGreaterThanOrEqual(7);
    expect(after.malformed - before.malformed).toBe(7);
    const arrived = waitFor(b, "after-garbage");
    a.emit("broadcast", null, "after-garbage", 1);
    expect(await arrived).toEqual([1]);
    expect(await ask<number>(b, "count")).toBe(3);
  });

  it("answers requests without waiting for a killed worker, and the others keep working", async () => {
    const [victim, survivor, other] = workers as [
      (typeof workers)[number],
      (typeof workers)[number],
      (typeof workers)[number],
    ];
    const room = `ipc-after-kill-${Math.random()}`;
    await ask(survivor.client, "join", room);
    await ask(other.client, "join", room);
    process.kill(victim.who.pid, "SIGKILL");
    await waitFor(victim.client, "disconnect", 10_000);
    const { answers, ms, error } = await ask<Asked>(survivor.client, "ask-servers");
    expect(error).toBeUndefined();
    expect(answers).toContain(other.who.nodeId);
    // The relay reported the dead worker: no wait for requestsTimeout (2 s) or the heartbeat.
    expect(ms).toBeLessThan(1_500);
    const ids = await ask<string[]>(survivor.client, "fetch", room);
    expect(ids).toEqual([survivor.client.id, other.client.id].sort());
    const arrived = waitFor(other.client, "still-here");
    survivor.client.emit("broadcast", room, "still-here", 2);
    expect(await arrived).toEqual([2]);
    // The respawned worker (same node id) rejoins the cluster.
    const fresh = await connectClient(url, false);
    clients.push(fresh);
    await waitUntil(
      async () => (await ask<number>(fresh, "count")) === 3,
      "the respawned worker is counted again",
      15_000,
    );
  });
});

describe("IPC adapter with a user-run node:cluster primary (setupPrimaryRelay, advanced serialization)", () => {
  let fixture: FixtureProcess<{ ports: number[] }>;
  const clients: ClientSocket[] = [];

  beforeAll(async () => {
    fixture = await startFixture<{ ports: number[] }>("ipc-own-primary.ts", { WORKERS: "2" });
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await fixture?.stop();
  });

  it("broadcasts binary data and answers queries across the workers", async () => {
    const [a, b] = (await Promise.all(
      fixture.info.ports.map((port) => connectClient(`http://127.0.0.1:${port}`, false)),
    )) as [ClientSocket, ClientSocket];
    clients.push(a, b);
    await waitUntil(async () => (await ask<number>(a, "count")) === 2, "two servers", 15_000);
    const arrived = waitFor<[Buffer]>(b, "bin");
    a.emit("broadcast", null, "bin", Buffer.from([0, 1, 254, 255]));
    const [payload] = await arrived;
    expect([...new Uint8Array(payload)]).toEqual([0, 1, 254, 255]);
    expect(await ask<string[]>(b, "fetch", null)).toEqual([a.id, b.id].sort());
    const { answers } = await ask<Asked>(a, "ask-servers");
    expect(answers).toHaveLength(1);
  });
});
