// cluster-nats: the cluster-redis load over NATS (switchyard + @switchyard/adapter-nats). No
// official NATS adapter exists, so the baseline is the official Redis adapter on Redis.
import type { Scenario } from "../../lib/scenario.js";
import { CLUSTER_LOAD, runClusterBench } from "../cluster-support/cluster.js";

const { nodes, clientsPerNode, rate } = CLUSTER_LOAD;
const BASELINE = "official Redis adapter";

export const scenario: Scenario = {
  name: "cluster-nats",
  description:
    `${nodes} nodes on NATS, room on every node (${clientsPerNode} websocket clients each), ` +
    `node 0 broadcasts at ${rate}/s (baseline: the official Redis adapter; no official NATS adapter exists)`,
  notes: [
    "The official column is socket.io + @socket.io/redis-adapter 8.3 on Redis (no official NATS adapter exists), so no target applies.",
    "Same load, probes and latency clock as cluster-redis; the Redis CPU row has only the baseline.",
  ],
  run: (ctx) => runClusterBench(ctx, { bus: "nats", baseline: BASELINE }),
};
