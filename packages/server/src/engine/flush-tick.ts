// One flush per tick for every session written to in it: a broadcast writes to many sessions,
// and a single `process.nextTick` then flushes them all, in the order they were written to.

/** What the tick flushes: a session's transport sink, which clears the session's mark first. */
export interface TickFlushable {
  flushTick(): void;
}

/** Sessions with a flush due on the next tick. */
const pendingFlushes: TickFlushable[] = [];

/** Flushes `node` on the next tick; the caller queues each session at most once per tick. */
export function flushOnNextTick(node: TickFlushable): void {
  if (pendingFlushes.push(node) === 1) process.nextTick(flushPending);
}

/** Flushes the queued sessions, in order; a throwing flush skips none. */
function flushPending(): void {
  let done = 0;
  try {
    while (done < pendingFlushes.length) {
      const node = pendingFlushes[done++] as TickFlushable;
      node.flushTick();
    }
  } finally {
    pendingFlushes.splice(0, done);
    if (pendingFlushes.length > 0) process.nextTick(flushPending);
  }
}
