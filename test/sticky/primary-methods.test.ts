// The primary's other placement methods for new sessions (round-robin and random), and how it
// counts cookie-routed requests.
import { Agent } from "node:http";
import { nodeTag, readSidTag } from "@switchyard/server";
import type { Socket as ClientSocket } from "socket.io-client";
import { afterAll, describe, expect, it } from "vitest";
import { type ClusterProcess, startCluster } from "./cluster-process.js";
import { connectClient } from "./nodes.js";
import { send } from "./support/http-exchange.js";

const clusters: ClusterProcess[] = [];
const clients: ClientSocket[] = [];

afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(clusters.map((cluster) => cluster.stop()));
});

async function ownersOfSequentialClients(method: string, count: number): Promise<string[]> {
  const cluster = await startCluster(3, { LB_METHOD: method });
  clusters.push(cluster);
  const owners: string[] = [];
  for (let i = 0; i < count; i++) {
    const socket = await connectClient(`http://127.0.0.1:${cluster.port}`, true);
    clients.push(socket);
    const who = (await socket.timeout(5_000).emitWithAck("whoami")) as { nodeId: string };
    owners.push(who.nodeId);
  }
  return owners;
}

describe("setupPrimary load-balancing methods", () => {
  it("round-robin places six sequential new sessions two per worker, in rotation", async () => {
    const owners = await ownersOfSequentialClients("round-robin", 6);
    expect(new Set(owners.slice(0, 3)).size).toBe(3);
    expect(owners.slice(3)).toEqual(owners.slice(0, 3));
  });

  it("random places every new session on a live worker", async () => {
    const owners = await ownersOfSequentialClients("random", 6);
    for (const owner of owners) expect(owner).toMatch(/^sticky-test-\d+-w[123]$/);
  });
});

describe("setupPrimary with the sticky cookie", () => {
  it("counts a request routed by its cookie as routed by cookie, not as a new session", async () => {
    const cluster = await startCluster(2, { COOKIE: "io" });
    clusters.push(cluster);
    const url = `http://127.0.0.1:${cluster.port}`;
    const agent = new Agent({ keepAlive: false });
    try {
      const open = await send(url, agent, "GET", "/socket.io/?EIO=4&transport=polling");
      expect(open.status).toBe(200);
      const sid = (JSON.parse(open.body.slice(1)) as { sid: string }).sid;
      // No query sid: only the cookie names the session's worker.
      const byCookie = await send(url, agent, "GET", "/whoami", undefined, { cookie: `io=${sid}` });
      expect(byCookie.status).toBe(200);
      const who = JSON.parse(byCookie.body) as { nodeId: string };
      expect(nodeTag(who.nodeId)).toBe(readSidTag(sid));
      const stats = await cluster.stats();
      expect(stats).toMatchObject({ newSessions: 1, routedByCookie: 1, routedBySid: 0 });
    } finally {
      agent.destroy();
    }
  });
});
