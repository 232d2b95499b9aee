// The room shapes the cluster scenarios measure, each with its paced load (latency) and its burst
// load (CPU per delivery, throughput), and the selection of rooms a run measures.

/** Nodes per stack. */
export const CLUSTER_NODES = 3;

/**
 * A burst: node 0 emits `count` broadcasts (at scale 1), `perTick` per macrotask, never more than
 * `window` broadcasts ahead of the slowest client (as the generator reports it to node 0).
 */
export interface BurstLoad {
  count: number;
  perTick: number;
  window: number;
}

/** One room shape a cluster scenario measures: its own metric rows, its own alternated rounds. */
export interface RoomLoad {
  /** Prefix of the metric rows. */
  label: string;
  /** The room's name (the clients ask for it in their handshake query). */
  room: string;
  clientsPerNode: number;
  /** Paced: broadcasts per second from node 0, sustained by both stacks; not scaled. */
  rate: number;
  /** Length of a measured paced round at scale 1 (the warm-up round is shorter). */
  durationMs: number;
  burst: BurstLoad;
}

/**
 * The two rooms of a full run. Small: few clients per node, many broadcasts, so each bus message
 * carries little work and its fixed cost (bus read, decode, wakeup) dominates. Large: a hundred
 * and fifty clients per node, so the cost per delivery dominates; its paced rate is one two
 * shared cores sustain for both stacks. Each paced round gives ≥ 2,000 cross-node latency samples
 * at scale 1; each measured burst, ≥ 40,000 deliveries.
 */
export const ROOM_LOADS: readonly RoomLoad[] = [
  {
    label: "small room",
    room: "small",
    clientsPerNode: 4,
    rate: 500,
    durationMs: 2_000,
    burst: { count: 4_000, perTick: 10, window: 20 },
  },
  {
    label: "large room",
    room: "large",
    clientsPerNode: 150,
    rate: 40,
    durationMs: 2_500,
    burst: { count: 200, perTick: 10, window: 20 },
  },
];

/**
 * Comma-separated room names to run (e.g. `small` while profiling); all when unset; `none` for
 * none (cluster-recovery's restores alone, every room's clients still connected).
 */
const ROOMS_VAR = "BENCH_CLUSTER_ROOMS";

/** "small room 4/node at 500/s, …" (scenario descriptions). */
export function describeLoads(): string {
  return ROOM_LOADS.map(
    (l) =>
      `${l.label} ${l.clientsPerNode}/node: paced ${l.rate}/s, burst ${l.burst.perTick}/tick ≤ ${l.burst.window} ahead`,
  ).join("; ");
}

/** The room loads this run measures ({@link ROOMS_VAR}). */
export function selectedLoads(): RoomLoad[] {
  const only = process.env[ROOMS_VAR];
  if (only === undefined || only === "") return [...ROOM_LOADS];
  if (only === "none") return [];
  const names = new Set(only.split(","));
  const loads = ROOM_LOADS.filter((load) => names.has(load.room));
  if (loads.length === 0) throw new Error(`${ROOMS_VAR}=${only} names no room of ROOM_LOADS`);
  return loads;
}
