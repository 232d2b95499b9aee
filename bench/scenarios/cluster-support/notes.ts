// The notes both cluster scenarios print under their tables.

export const CLUSTER_NOTES: readonly string[] = [
  "Each node is its own process; CPU is every node's user+sys time over the round divided by the client deliveries (all nodes: publisher-local ones included).",
  "Latency is one-way, broadcast call to client receipt, on the system-wide monotonic clock; cross-node = clients of nodes 1…n−1. Paced load, not saturation. A p99 row is the median of the per-round p99s, each over every cross-node delivery of its round (≥ 2,000 at scale 1).",
  "Load generator: one process of raw `ws` clients speaking the Engine.IO/Socket.IO text wire, identical for both stacks (socket.io-client would cost more CPU than the nodes in the large room).",
];
