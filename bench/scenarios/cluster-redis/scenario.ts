// cluster-redis: 3 node processes on one private Redis, a room spanning all of them, paced
// broadcasts from node 0: switchyard + @switchyard/adapter-redis against socket.io +
// @socket.io/redis-adapter 8 (classic pub/sub), same Redis, same official clients.
import type { Scenario } from "../../lib/scenario.js";
import { CLUSTER_LOAD, runClusterBench } from "../cluster-support/cluster.js";

const { nodes, clientsPerNode, rate } = CLUSTER_LOAD;

export const scenario: Scenario = {
  name: "cluster-redis",
  description:
    `${nodes} nodes on Redis, room on every node (${clientsPerNode} websocket clients each), ` +
    `node 0 broadcasts at ${rate}/s (official: socket.io + @socket.io/redis-adapter 8.3)`,
  notes: [
    "Each node is its own process; CPU is every node's user+sys time over the round divided by the client deliveries (all nodes: publisher-local ones included).",
    "Latency is one-way, broadcast call to client receipt, on the system-wide monotonic clock; cross-node = clients of nodes 1…n−1. Paced load, not saturation.",
    "Redis CPU comes from INFO cpu of the bench's own redis-server (or REDIS_URL).",
  ],
  run: (ctx) => runClusterBench(ctx, { bus: "redis", targets: { cpuPerDelivery: 0.5, p99: 1.0 } }),
};
