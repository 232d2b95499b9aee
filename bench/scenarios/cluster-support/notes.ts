// The notes both cluster scenarios print under their tables.
import { ROOM_LOADS } from "./rooms.js";

const [first] = ROOM_LOADS;
const perTick = first?.burst.perTick;
const window = first?.burst.window;
const rates = ROOM_LOADS.map((l) => `${l.rate}/s ${l.label}`).join(", ");

export const CLUSTER_NOTES: readonly string[] = [
  `Burst rows (CPU target ≤ 0.5 on cluster-redis): node 0 emits ${perTick} broadcasts per macrotask (one setImmediate turn), never more than ${window} broadcasts ahead of the slowest client; the generator reports that progress to node 0 every 5 completed broadcasts on a control socket (a Socket.IO event, the same for both stacks). Several broadcasts then reach each socket within one tick, on node 0 and, through the bus, on the receiving nodes: the load where writes can be coalesced per socket per tick. Throughput = all deliveries ÷ first-to-last frame at the generator.`,
  `Paced rows (p99 target ≤ 1.0 on cluster-redis): a fixed rate (${rates}) below what either stack sustains, so each socket gets one message per event-loop turn and every delivery is one socket write on both stacks; their CPU rows are shown without a target. Latency is one-way, broadcast call to client receipt, on the system-wide monotonic clock; cross-node = clients of nodes 1…n−1. A p99 row is the median of the per-round p99s, each over every cross-node delivery of its round (≥ 2,000 at scale 1).`,
  "Each node is its own process; CPU is every node's user+sys time over the burst or paced round divided by the client deliveries (all nodes: publisher-local ones included); receiving node = nodes 1…n−1 over their own clients' deliveries.",
  "Load generator: one process of raw `ws` clients speaking the Engine.IO/Socket.IO text wire, identical for both stacks (socket.io-client would cost more CPU than the nodes in the large room).",
];
