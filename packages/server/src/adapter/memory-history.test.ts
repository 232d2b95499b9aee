import { afterEach, describe, expect, it, vi } from "vitest";
import { ALL_LOG, MemoryHistory } from "./memory-history.js";

const bytes = (n: number): Uint8Array => Uint8Array.from([n]);

afterEach(() => {
  vi.useRealTimers();
});

describe("MemoryHistory", () => {
  it("gives every entry of a namespace the next position, across logs", () => {
    const history = new MemoryHistory();
    const a = history.append("/", "r1", bytes(1));
    const b = history.append("/", ALL_LOG, bytes(2));
    const fence = history.append("/", undefined, bytes(3));
    const c = history.append("/", "r1", bytes(4));
    expect([a.major, b.major, fence.major, c.major]).toEqual([1, 2, 3, 4]);
    expect(new Set([a.epoch, b.epoch, c.epoch]).size).toBe(1);
    expect(history.append("/other", "r1", bytes(5)).major).toBe(1);
  });

  it("reads the entries at or after a position from the given logs only (fences are not stored)", () => {
    const history = new MemoryHistory();
    for (let n = 1; n <= 4; n++) history.append("/", n % 2 === 0 ? "even" : "odd", bytes(n));
    history.append("/", undefined, bytes(9));
    const read = history.read("/", ["even"], { major: 2, minor: 0 });
    expect(read.ok && read.entries.map((e) => [e.major, e.payload[0]])).toEqual([
      [2, 2],
      [4, 4],
    ]);
  });

  it("says trimmed when an entry at or after the position was dropped, not otherwise", () => {
    const history = new MemoryHistory({ maxEntriesPerLog: 3 });
    for (let n = 1; n <= 5; n++) history.append("/", "r", bytes(n));
    expect(history.read("/", ["r"], { major: 1, minor: 0 })).toEqual({
      ok: false,
      reason: "trimmed",
    });
    expect(history.read("/", ["r"], { major: 2, minor: 0 })).toEqual({
      ok: false,
      reason: "trimmed",
    });
    expect(history.read("/", ["r"], { major: 3, minor: 0 }).ok).toBe(true);
    const fresh = new MemoryHistory();
    fresh.append("/", "r", bytes(1));
    expect(fresh.read("/", ["r"], { major: 0, minor: 0 }).ok).toBe(true);
  });

  it("drops entries older than maxAgeMs", () => {
    vi.useFakeTimers();
    const history = new MemoryHistory({ maxAgeMs: 1_000 });
    history.append("/", "r", bytes(1));
    vi.advanceTimersByTime(2_000);
    history.append("/", "r", bytes(2));
    expect(history.read("/", ["r"], { major: 2, minor: 0 }).ok).toBe(true);
    expect(history.read("/", ["r"], { major: 1, minor: 0 })).toEqual({
      ok: false,
      reason: "trimmed",
    });
  });

  it("keeps records per owner: another node's write or drop is refused, a claim happens once", () => {
    const history = new MemoryHistory();
    history.save("a", [{ pid: "p", value: bytes(1), ttlMs: 10_000 }]);
    history.save("b", [{ pid: "p", value: bytes(2), ttlMs: 10_000 }]);
    expect(history.peek("p")).toEqual(bytes(1));
    history.drop("b", ["p"]);
    expect(history.peek("p")).toEqual(bytes(1));
    expect(history.claim("b", "p", 10_000)).toEqual(bytes(1));
    expect(history.claim("c", "p", 10_000)).toBeUndefined();
    expect(history.peek("p")).toBeUndefined();
    // The former owner's late write is refused; the claimer's goes through.
    history.save("a", [{ pid: "p", value: bytes(3), ttlMs: 10_000 }]);
    expect(history.peek("p")).toBeUndefined();
    history.save("b", [{ pid: "p", value: bytes(4), ttlMs: 10_000 }]);
    expect(history.peek("p")).toEqual(bytes(4));
    history.drop("b", ["p"]);
    expect(history.peek("p")).toBeUndefined();
  });

  it("forgets records and signs of life after their time to live", () => {
    vi.useFakeTimers();
    const history = new MemoryHistory();
    history.save("a", [{ pid: "p", value: bytes(1), ttlMs: 1_000 }]);
    history.touch("a", 1_000);
    expect(history.lastSeen("a")).toBe(Date.now());
    vi.advanceTimersByTime(1_500);
    expect(history.peek("p")).toBeUndefined();
    expect(history.lastSeen("a")).toBeUndefined();
  });

  it("starts a new epoch when reset (a broker restarted without persistence)", () => {
    const history = new MemoryHistory();
    const before = history.epoch("/");
    history.reset();
    expect(history.epoch("/")).not.toBe(before);
  });
});
