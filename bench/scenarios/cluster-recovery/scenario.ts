// cluster-recovery: the cost of connection state recovery across nodes. cluster-redis's load
// (3 node processes on one private Redis, a small and a large room spanning every node, bursts
// and a paced load from node 0) with `connectionStateRecovery: {}` on both stacks, so every
// broadcast is also written to a history: switchyard + @switchyard/adapter-redis against
// socket.io + @socket.io/redis-streams-adapter 0.3; then the restore of a client that missed
// 1,000 events, on another node (restore.ts).
import type { Scenario } from "../../lib/scenario.js";
import { runClusterBench } from "../cluster-support/cluster.js";
import { CLUSTER_NOTES } from "../cluster-support/notes.js";
import { CLUSTER_NODES, describeLoads } from "../cluster-support/rooms.js";
import { BUSY_ROOMS, MISSED_EVENTS, RESTORES_PER_ROUND, runRestores } from "./restore.js";

export const scenario: Scenario = {
  name: "cluster-recovery",
  description:
    `${CLUSTER_NODES} nodes on Redis with connectionStateRecovery: {}, two rooms on every node ` +
    `(${describeLoads()}), broadcasts from node 0; then restores of a client that missed ` +
    `${MISSED_EVENTS.toLocaleString("en-US")} events, on another node (official: socket.io + ` +
    "@socket.io/redis-streams-adapter 0.3)",
  notes: [
    ...CLUSTER_NOTES,
    "History: both stacks run with `connectionStateRecovery: {}` and nothing else; every broadcast is recoverable, so switchyard appends it to the room's Redis stream in the script that publishes it, and the official adapter XADDs it to its one stream, which every node reads (XREAD). Each delivered event carries its offset.",
    "Publisher-local latency (target ≤ 1.0): broadcast call → receipt by the clients of node 0 itself. switchyard writes to local sockets at once; the official ClusterAdapter awaits the XADD reply before its local broadcast.",
    `Restore (targets ≤ 0.5): a client in a room of its own on node 1 receives one event (its offset), its transport is closed (ws terminate: "transport close", so node 1 saves its session on both stacks), node 0 publishes the missed events at 1,000/s (about one history entry each); once a witness client in the room has them all, the client reconnects to node 2 with \`40{"pid":…,"offset":…}\` as socket.io-client 4.8 sends it (raw wire, the same code for both). Time: WebSocket created → CONNECT reply and every missed event in. CPU: node 2 over that window, its handshake included. Per round ${RESTORES_PER_ROUND} such restores, and ${RESTORES_PER_ROUND} while ${BUSY_ROOMS} other rooms (no members) get as many events at the same time (rows without a target: the official adapter keeps every room in one stream, so its restore reads and filters them all; switchyard reads only the client's rooms). The warm-up round runs four rounds' worth of restores per stack (V8 was still compiling the restore path after one). A row's samples are every measured restore; its pair ratio per round is the ratio of that round's medians. The main-thread rows (Linux, /proc schedstat) split the CPU: what is left is V8's worker threads, mostly optimizing compilation of code a restore makes hot (each restore's line also gives node 2's GC pauses).`,
    "A restore counts only if exact: the CONNECT reply carries the old pid and sid, `socket.recovered` is true on node 2, and once an end marker published after the restore arrived, the client has every missed event once, in order. Others are logged with the reason and counted in the `restores not exact` row.",
    "Redis CPU comes from INFO cpu of the bench's own redis-server (or REDIS_URL).",
  ],
  run: (ctx) =>
    runClusterBench(ctx, {
      bus: "redis",
      recovery: true,
      targets: { cpuPerDelivery: 0.5, p99: 1.0 },
      localTarget: 1.0,
      afterLoads: runRestores,
    }),
};
