import { afterEach, describe, expect, it, vi } from "vitest";
import { flushOnNextTick, type TickFlushable } from "./flush-tick.js";

/** The callbacks given to `process.nextTick`, run by hand instead of by Node. */
function captureTicks(): Array<() => void> {
  const ticks: Array<() => void> = [];
  vi.spyOn(process, "nextTick").mockImplementation((...args) => {
    ticks.push(args[0] as () => void);
  });
  return ticks;
}

/** A node that records its flushes in `log` under `name` (and runs `then` after). */
function node(log: string[], name: string, then?: () => void): TickFlushable {
  return {
    flushTick: () => {
      log.push(name);
      then?.();
    },
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("flushOnNextTick", () => {
  it("flushes every node queued in a tick with one nextTick, in order", () => {
    const ticks = captureTicks();
    const log: string[] = [];
    flushOnNextTick(node(log, "a"));
    flushOnNextTick(node(log, "b"));
    flushOnNextTick(node(log, "c"));
    expect(ticks).toHaveLength(1);
    expect(log).toEqual([]);
    ticks.shift()?.();
    expect(log).toEqual(["a", "b", "c"]);
    expect(ticks).toHaveLength(0);
  });

  it("flushes a node queued during the flush in the same pass", () => {
    const ticks = captureTicks();
    const log: string[] = [];
    const late = node(log, "late");
    flushOnNextTick(node(log, "first", () => flushOnNextTick(late)));
    ticks.shift()?.();
    expect(log).toEqual(["first", "late"]);
    expect(ticks).toHaveLength(0);
  });

  it("skips none when a flush throws: the rest go on the next tick", () => {
    const ticks = captureTicks();
    const log: string[] = [];
    flushOnNextTick(node(log, "a"));
    flushOnNextTick(
      node(log, "b", () => {
        throw new Error("flush failed");
      }),
    );
    flushOnNextTick(node(log, "c"));
    expect(() => ticks.shift()?.()).toThrow("flush failed");
    expect(log).toEqual(["a", "b"]);
    expect(ticks).toHaveLength(1);
    ticks.shift()?.();
    expect(log).toEqual(["a", "b", "c"]);
    // The queue is empty again: the next node starts a new tick.
    flushOnNextTick(node(log, "d"));
    expect(ticks).toHaveLength(1);
    ticks.shift()?.();
    expect(log).toEqual(["a", "b", "c", "d"]);
  });
});
