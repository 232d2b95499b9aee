// cluster-recovery's restore phase, with both stacks up: a client in a room of its own on node 1
// (with a witness client in the same room and node) receives one event, so it has an offset, then
// its transport is closed (a recoverable disconnection: node 1 saves or marks its session on both
// stacks); node 0 publishes the missed events to the room; once the witness has them all (so they
// went through the broker and are in its history), the client reconnects to node 2 with
// `{ pid, offset }`. Measured: reconnect attempt → CONNECT reply and every missed event in, and
// node 2's CPU over that window. Checked: the CONNECT reply's pid and sid are the old ones,
// `socket.recovered` on node 2, and, once an end marker published after the restore arrived,
// exactly the missed events, each once, in publish order. Each round has as many restores with
// the cluster otherwise quiet as with BUSY_ROOMS other rooms receiving as many events meanwhile
// (what a restore reads then depends on where the history keeps other rooms' events).
import { join } from "node:path";
import { Child } from "../../lib/child.js";
import type { ProbeSample } from "../../lib/ipc.js";
import { type Impl, type Metric, metric, record } from "../../lib/metric.js";
import { alternate, type ScenarioContext, scaled } from "../../lib/scenario.js";
import { type Stack, until } from "../cluster-support/stack.js";
import type { NodeReady, SocketState } from "../cluster-support/wire.js";
import {
  type AwaitArgs,
  type CheckResult,
  END_EVENT,
  type OpenArgs,
  type RestoreArgs,
  type RestoreResult,
} from "./wire.js";

/** Events the client misses (at scale 1). */
export const MISSED_EVENTS = 1_000;
/**
 * Rate of the missed events, per second: about one per event-loop turn of node 0, so each is
 * its own history entry on both stacks (switchyard batches what one tick sends to a room).
 */
const MISSED_RATE = 1_000;
/** Restores per round of each stack and kind (quiet, other rooms busy). */
export const RESTORES_PER_ROUND = 2;
/**
 * The warm-up round runs this many times a measured round's restores: V8 was still compiling the
 * restore path after one round's worth (`--trace-opt` on switchyard's nodes: 25–50 ms of
 * optimizing compilation between restores in the first measured rounds, 2–8 ms by the fifth),
 * and a restore's CPU counts the compiler threads. Both stacks get the same warm-up.
 */
const WARMUP_ROUNDS = 4;
/** Other rooms that get as many events as the client's room while it is away (busy restores). */
export const BUSY_ROOMS = 3;
const TIMEOUT_MS = 10_000;

type Node = Child<NodeReady>;

interface RestoreMetrics {
  time: Metric;
  cpu: Metric;
  /** The same CPU, main thread only (Linux; the rest is V8's compiler and GC threads). */
  mainCpu: Metric;
}

interface RestoreSample {
  result: RestoreResult;
  /** Node 2 over the restore's window. */
  probe: ProbeSample;
  /** Why the restore was not exact (undefined when it was). */
  problem: string | undefined;
}

const urlOf = (node: Node): string => `http://127.0.0.1:${node.ready.port}`;

function nodesOf(stack: Stack): [Node, Node, Node] {
  const [publisher, owner, restorer] = stack.nodes;
  if (publisher === undefined || owner === undefined || restorer === undefined) {
    throw new Error("cluster-recovery needs 3 nodes");
  }
  return [publisher, owner, restorer];
}

/** The client and its witness in `room` on `owner`, and the client's first event (its offset). */
async function prepare(client: Child, publisher: Node, owner: Node, room: string): Promise<void> {
  const url = urlOf(owner);
  await client.request("open", { name: "witness", url, room } satisfies OpenArgs);
  await client.request("open", { name: "client", url, room } satisfies OpenArgs);
  await until(`2 members in ${room}`, async () => (await owner.request("members", room)) === 2);
  await owner.request("subscribed");
  await publisher.request("publish", { room, count: 1, rate: MISSED_RATE });
  for (const name of ["client", "witness"]) {
    await client.request("await", { name, count: 1, timeoutMs: TIMEOUT_MS } satisfies AwaitArgs);
  }
}

function problemOf(
  result: RestoreResult,
  server: SocketState | null,
  check: CheckResult,
): string | undefined {
  const problems: string[] = [];
  if (!result.recovered) problems.push("new session (pid changed)");
  if (result.recovered && !result.sameSid) problems.push("sid changed");
  if (server?.recovered !== true) problems.push("socket.recovered is not true on the node");
  if (check.missing > 0) problems.push(`${check.missing} missing`);
  if (check.duplicates > 0) problems.push(`${check.duplicates} duplicates`);
  if (!check.inOrder) problems.push("out of order");
  return problems.length === 0 ? undefined : problems.join(", ");
}

/**
 * One restore of a client that missed `missed` events in `room`, while `busy` other rooms (no
 * members) got as many.
 */
async function restoreOnce(
  stack: Stack,
  client: Child,
  room: string,
  missed: number,
  busy: number,
): Promise<RestoreSample> {
  const [publisher, owner, restorer] = nodesOf(stack);
  await prepare(client, publisher, owner, room);
  await client.request("cut", "client");
  await until(`the cut seen by node 1`, async () => (await owner.request("members", room)) === 1);
  const rooms = [room, ...Array.from({ length: busy }, (_, j) => `${room}-other-${j}`)];
  await Promise.all(
    rooms.map((to) => publisher.request("publish", { room: to, count: missed, rate: MISSED_RATE })),
  );
  const witnessed: AwaitArgs = { name: "witness", count: 1 + missed, timeoutMs: TIMEOUT_MS };
  await client.request("await", witnessed);
  await restorer.request("probe:start");
  const args: RestoreArgs = {
    name: "client",
    url: urlOf(restorer),
    room,
    expected: missed,
    timeoutMs: TIMEOUT_MS,
  };
  const result = await client.request<RestoreResult>("restore", args);
  const probe = await restorer.request<ProbeSample>("probe:stop");
  // Everything published before the end marker reaches the client before it.
  await restorer.request("subscribed");
  await publisher.request("publish", { room, count: 1, rate: MISSED_RATE, event: END_EVENT });
  const check = await client.request<CheckResult>("check", {
    name: "client",
    count: missed,
    timeoutMs: TIMEOUT_MS,
  } satisfies AwaitArgs);
  const server = await restorer.request<SocketState | null>("socket", result.sid);
  await client.request("close");
  return { result, probe, problem: problemOf(result, server, check) };
}

const mainOf = ({ mainThreadUs }: ProbeSample): string =>
  mainThreadUs === undefined ? "" : ` (main thread ${(mainThreadUs / 1000).toFixed(1)} ms)`;

/** The rows of one kind of restore; targets on the quiet kind, the one the issue names. */
function restoreMetrics(missed: number, busy: number): RestoreMetrics {
  const events = missed.toLocaleString("en-US");
  const label =
    busy === 0
      ? "recovery"
      : `recovery, ${busy} other rooms busy (+${(busy * missed).toLocaleString("en-US")} events)`;
  const target = busy === 0 ? { target: 0.5 } : {};
  return {
    time: metric(
      `${label}: time to recover a client that missed ${events} events (reconnect → all in)`,
      "ms",
      target,
    ),
    cpu: metric(`${label}: restoring node CPU per restore (handshake included)`, "ms", target),
    mainCpu: metric(
      `${label}: the same, main thread only (the rest: V8's optimizing compiler and GC threads)`,
      "ms",
    ),
  };
}

/** The alternated restore rounds; a restore that was not exact is logged and counted. */
export async function runRestores(
  ctx: ScenarioContext,
  stacks: ReadonlyMap<Impl, Stack>,
): Promise<Metric[]> {
  const missed = scaled(ctx, MISSED_EVENTS, 20);
  const kinds = [0, BUSY_ROOMS].map((busy) => ({ busy, m: restoreMetrics(missed, busy) }));
  const perRound = RESTORES_PER_ROUND * kinds.length;
  const failed = metric(`recovery: restores not exact, of ${perRound} per round`, "restores");
  ctx.log(
    `recovery: a client on node 1 misses ${missed} events published by node 0 at ` +
      `${MISSED_RATE}/s, reconnects to node 2; ${perRound} restores per round, half of them ` +
      `while ${BUSY_ROOMS} other rooms get as many (warm-up: ${perRound * WARMUP_ROUNDS})`,
  );
  const client = await Child.start(join(import.meta.dirname, "recovering-client.ts"));
  try {
    await alternate(ctx.rounds, async (impl, index, measured) => {
      const stack = stacks.get(impl);
      if (stack === undefined) throw new Error(`no ${impl} stack`);
      let notExact = 0;
      const restores = measured ? perRound : perRound * WARMUP_ROUNDS;
      for (let k = 0; k < restores; k++) {
        const kind = kinds[k % kinds.length];
        if (kind === undefined) continue;
        const room = `recover-${index + 1}-${k}`;
        const s = await restoreOnce(stack, client, room, missed, kind.busy);
        const line =
          `recovery ${impl} round ${index} #${k} (${kind.busy} busy rooms): ` +
          `${s.result.ms.toFixed(1)} ms (CONNECT reply at ${s.result.connectMs.toFixed(1)} ms, ` +
          `${s.result.beforeConnect} events before it), node 2 CPU ${(s.probe.cpuUs / 1000).toFixed(1)} ms${mainOf(s.probe)} ` +
          `(GC ${s.probe.gcMs.toFixed(1)} ms in ${s.probe.gcCount} pauses)`;
        if (s.problem !== undefined) {
          notExact++;
          ctx.log(`${line}; NOT EXACT: ${s.problem}`);
          continue;
        }
        if (!measured) continue;
        ctx.log(line);
        record(kind.m.time, impl, s.result.ms, index);
        record(kind.m.cpu, impl, s.probe.cpuUs / 1000, index);
        const main = s.probe.mainThreadUs;
        if (main !== undefined) record(kind.m.mainCpu, impl, main / 1000, index);
      }
      if (measured) record(failed, impl, notExact);
    });
  } finally {
    await client.stop();
  }
  const rows = kinds.flatMap(({ m }) => [m.time, m.cpu, m.mainCpu]);
  return [...rows.filter((row) => row.switchyard.length > 0), failed];
}
