// The publish queue shared by every cluster adapter of the process. What they publish within
// one synchronous run goes to the bus at its end, in publish order; consecutive messages of one
// adapter to one target travel as ONE bus message (a batch, cluster-batch.ts). Local delivery
// never waits for it.
import { BATCH_ITEM_OVERHEAD, type BatchLimits } from "./cluster-batch.js";
import type { ClusterTarget } from "./cluster-bus.js";

/** Where a run goes: one adapter's bus. Must not throw. */
export interface RunSink {
  /** Publishes one run: a lone payload as is, several as one batch; `ordered` to the history. */
  publishRun(target: ClusterTarget, payloads: Uint8Array[], ordered: boolean): void;
}

/** Consecutive payloads of one sink to one target. */
interface Run {
  sink: RunSink;
  target: ClusterTarget;
  /** Whether the run goes to the target's history (recovery) rather than plain pub/sub. */
  ordered: boolean;
  payloads: Uint8Array[];
  /** The batch's size so far, envelope included (an upper bound). */
  bytes: number;
}

/** Runs in publish order; those before `head` are already on the bus (during a flush). */
const runs: Run[] = [];
let head = 0;
let scheduled = false;

/**
 * Queues `payload` for `target`: joins the last run when that run has the same sink, target and
 * kind (`ordered` or not) and stays within `limits` (`overhead` = the batch envelope's bytes),
 * else starts a new run.
 * A message to another target, or of another adapter, starts a new run: the order of bus
 * messages stays exactly the publish order, across channels and namespaces too.
 */
export function enqueuePublish(
  sink: RunSink,
  target: ClusterTarget,
  payload: Uint8Array,
  limits: BatchLimits,
  overhead: number,
  ordered = false,
): void {
  const cost = payload.byteLength + BATCH_ITEM_OVERHEAD;
  const last = runs.length > head ? runs[runs.length - 1] : undefined;
  if (
    last !== undefined &&
    last.sink === sink &&
    last.ordered === ordered &&
    last.payloads.length < limits.maxMessages &&
    last.bytes + cost <= limits.maxBytes &&
    sameTarget(last.target, target)
  ) {
    last.payloads.push(payload);
    last.bytes += cost;
    return;
  }
  runs.push({ sink, target, ordered, payloads: [payload], bytes: overhead + cost });
  if (!scheduled) {
    scheduled = true;
    // Whichever of the two runs first flushes; the other finds the queue empty (or flushes
    // what was queued since, earlier than its own microtask would: order is kept either way).
    // A microtask: from a promise job, it runs before the continuations queued after this
    // publish (such as code after `await adapter.init()`), where a nextTick would wait for the
    // whole microtask queue. A nextTick: from a callback (timer, I/O), it runs before the
    // sessions' write flush that the local delivery schedules right after (engine/session.ts),
    // so the bus message leaves before the local writes; a microtask would run after them.
    queueMicrotask(flushPublishQueue);
    process.nextTick(flushPublishQueue);
  }
}

/**
 * Publishes every queued run, in order. Called at the end of the tick, and before a message
 * that must not wait (it then follows everything published before it). Re-entrant: a publish
 * made while flushing is queued behind the runs not yet flushed.
 */
export function flushPublishQueue(): void {
  scheduled = false;
  while (head < runs.length) {
    const run = runs[head] as Run;
    head++;
    run.sink.publishRun(run.target, run.payloads, run.ordered);
  }
  runs.length = 0;
  head = 0;
}

function sameTarget(a: ClusterTarget, b: ClusterTarget): boolean {
  if (a.kind === "all") return b.kind === "all";
  if (a.kind === "room") return b.kind === "room" && a.room === b.room;
  return b.kind === "node" && a.uid === b.uid;
}
