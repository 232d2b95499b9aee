// cluster-nats: the cluster-redis loads (burst and paced) over NATS (switchyard +
// @switchyard/adapter-nats). No official NATS adapter exists, so the baseline is the official
// Redis adapter on Redis.
import type { Scenario } from "../../lib/scenario.js";
import { runClusterBench } from "../cluster-support/cluster.js";
import { CLUSTER_NOTES } from "../cluster-support/notes.js";
import { CLUSTER_NODES, describeLoads } from "../cluster-support/rooms.js";

const BASELINE = "official Redis adapter";

export const scenario: Scenario = {
  name: "cluster-nats",
  description:
    `${CLUSTER_NODES} nodes on NATS, two rooms on every node (${describeLoads()}), ` +
    "broadcasts from node 0 (baseline: the official Redis adapter; no official NATS adapter exists)",
  notes: [
    "The official column is socket.io + @socket.io/redis-adapter 8.3 on Redis (no official NATS adapter exists), so no target applies.",
    ...CLUSTER_NOTES,
    "The Redis CPU rows have only the baseline.",
  ],
  run: (ctx) => runClusterBench(ctx, { bus: "nats", baseline: BASELINE }),
};
