// The primary's other placement methods for new sessions: round-robin and random.
import type { Socket as ClientSocket } from "socket.io-client";
import { afterAll, describe, expect, it } from "vitest";
import { type ClusterProcess, startCluster } from "./cluster-process.js";
import { connectClient } from "./nodes.js";

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
