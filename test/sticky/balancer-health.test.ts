// Health checks and failover: a stopped upstream is taken out, its peers keep serving, and it is
// put back once it answers /readyz again.
import { request } from "node:http";
import { nodeTag, readSidTag } from "@switchyard/server";
import { type Balancer, createBalancer } from "@switchyard/sticky";
import type { Socket as ClientSocket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connectClients, startNode, type TestNode, whoami } from "./nodes.js";

let nodes: TestNode[] = [];
let balancer: Balancer;
let url = "";
const clients: ClientSocket[] = [];

beforeAll(async () => {
  nodes = await Promise.all(["delta-1", "echo-2", "foxtrot-3"].map((id) => startNode(id)));
  balancer = createBalancer({
    port: 0,
    host: "127.0.0.1",
    upstreams: nodes.map((node) => ({ id: node.id, url: node.url })),
    healthCheck: { intervalMs: 100, timeoutMs: 300, fall: 1, rise: 1 },
    drainTimeoutMs: 1_000,
  });
  url = `http://127.0.0.1:${(await balancer.listen()).port}`;
});

afterAll(async () => {
  for (const client of clients) client.close();
  await balancer?.close();
  await Promise.all(nodes.map((node) => node.stop()));
});

const healthOf = (id: string): boolean | undefined =>
  balancer.stats().upstreams.find((upstream) => upstream.id === id)?.healthy;

describe("balancer health checks", () => {
  it("keeps the other nodes' clients working when one node stops, and sends new sessions elsewhere", async () => {
    const sockets = await connectClients(url, 12, clients);
    const owners = await Promise.all(sockets.map((socket) => whoami(socket)));
    const victim = nodes[1] as TestNode;
    expect(owners).toContain(victim.id);

    const orphan = sockets[owners.indexOf(victim.id)]?.io.engine.id ?? "";
    expect(readSidTag(orphan)).toBe(nodeTag(victim.id));
    await victim.stop();
    await vi.waitFor(() => expect(healthOf(victim.id)).toBe(false), { timeout: 5_000 });

    // A request naming a session of the stopped node still goes to it, and fails as a 502.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${url}/socket.io/?EIO=4&transport=polling&sid=${orphan}`, {
        agent: false,
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(502);

    const survivors = sockets.filter((_, i) => owners[i] !== victim.id);
    const again = await Promise.all(survivors.map((socket) => whoami(socket)));
    expect(again).toEqual(owners.filter((owner) => owner !== victim.id));

    const fresh = await connectClients(url, 6, clients);
    const freshOwners = await Promise.all(fresh.map((socket) => whoami(socket)));
    expect(freshOwners).not.toContain(victim.id);
    for (const socket of fresh)
      expect(readSidTag(socket.io.engine.id)).not.toBe(nodeTag(victim.id));
  });

  it("puts a recovered node back and places new sessions on it again", async () => {
    const victim = nodes[1] as TestNode;
    await victim.start();
    await vi.waitFor(() => expect(healthOf(victim.id)).toBe(true), { timeout: 5_000 });
    const owners = new Set<string>();
    for (let round = 0; round < 4 && !owners.has(victim.id); round++) {
      const fresh = await connectClients(url, 3, clients);
      for (const owner of await Promise.all(fresh.map((socket) => whoami(socket))))
        owners.add(owner);
    }
    expect(owners).toContain(victim.id);
  });
});
