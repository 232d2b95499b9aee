// cluster-redis: 3 node processes on one private Redis, a small and a large room spanning all of
// them, broadcasts from node 0 in flow-controlled bursts (CPU per delivery, throughput) and at a
// paced rate (latency): switchyard + @switchyard/adapter-redis against socket.io +
// @socket.io/redis-adapter 8 (classic pub/sub), same Redis, same load generator.
import type { Scenario } from "../../lib/scenario.js";
import { runClusterBench } from "../cluster-support/cluster.js";
import { CLUSTER_NOTES } from "../cluster-support/notes.js";
import { CLUSTER_NODES, describeLoads } from "../cluster-support/rooms.js";

export const scenario: Scenario = {
  name: "cluster-redis",
  description:
    `${CLUSTER_NODES} nodes on Redis, two rooms on every node (${describeLoads()}), ` +
    "broadcasts from node 0 (official: socket.io + @socket.io/redis-adapter 8.3)",
  notes: [
    ...CLUSTER_NOTES,
    "Redis CPU comes from INFO cpu of the bench's own redis-server (or REDIS_URL).",
  ],
  run: (ctx) => runClusterBench(ctx, { bus: "redis", targets: { cpuPerDelivery: 0.5, p99: 1.0 } }),
};
