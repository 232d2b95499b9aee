// Three fleet nodes on a fresh channel prefix behind a balancer routing by their sid tags, the
// setting of most recovery fault tests.
import { randomBytes } from "node:crypto";
import { type Balancer, createBalancer } from "@switchyard/sticky";
import { type FleetNode, startFleetNode } from "./fleet.js";

/** The started nodes, the balancer, its URL and the environment the nodes got. */
export interface FleetBehindBalancer {
  nodes: FleetNode[];
  balancer: Balancer;
  url: string;
  env: Record<string, string>;
}

/** Starts 3 nodes with `env` (plus a fresh `SY_KEY`) and a balancer in front of them. */
export async function startFleetBehindBalancer(
  env: Record<string, string>,
  idPrefix: string,
): Promise<FleetBehindBalancer> {
  const runEnv = { ...env, SY_KEY: `sy-${idPrefix}-${randomBytes(4).toString("hex")}` };
  const run = randomBytes(3).toString("hex");
  const nodes = await Promise.all(
    [0, 1, 2].map((i) => startFleetNode(`${idPrefix}-${run}-${i}`, runEnv)),
  );
  const balancer = createBalancer({
    host: "127.0.0.1",
    upstreams: nodes.map((node) => ({ id: node.id, url: node.url })),
    healthCheck: { intervalMs: 100, timeoutMs: 500, fall: 1, rise: 1 },
  });
  const { port } = await balancer.listen();
  return { nodes, balancer, url: `http://127.0.0.1:${port}`, env: runEnv };
}
