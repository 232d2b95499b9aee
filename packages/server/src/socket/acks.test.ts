import { afterEach, describe, expect, it, vi } from "vitest";
import { PendingAcks, singleShot } from "./acks.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("PendingAcks", () => {
  it("calls a timed ack once: with the answer, or with a TimeoutError at the deadline", () => {
    vi.useFakeTimers();
    const acks = new PendingAcks();
    const calls: unknown[][] = [];
    acks.setWithTimeout(1, (...args) => calls.push(args), 100);
    acks.setWithTimeout(2, (...args) => calls.push(args), 100);
    acks.take(1)?.("yes");
    vi.advanceTimersByTime(99);
    expect(calls).toEqual([[null, "yes"]]);
    vi.advanceTimersByTime(1);
    expect((calls[1] as [Error])[0].message).toBe("operation has timed out");
    expect(acks.take(2)).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("fails every timed ack at once on failAll(), drops the others and leaves no timer", () => {
    vi.useFakeTimers();
    const acks = new PendingAcks();
    const calls: unknown[][] = [];
    acks.setWithTimeout(1, (...args) => calls.push(args), 60_000);
    acks.set(2, (...args) => calls.push(["untimed", ...args]));
    acks.failAll();
    expect(calls).toHaveLength(1);
    expect((calls[0] as [Error])[0].message).toBe("operation has timed out");
    expect(vi.getTimerCount()).toBe(0);
    expect(acks.take(1)).toBeUndefined();
    expect(acks.take(2)).toBeUndefined();
    vi.advanceTimersByTime(60_000);
    expect(calls).toHaveLength(1);
  });
});

describe("PendingAcks broadcast entries", () => {
  it("sweeps broadcast acks whose broadcast stopped waiting, without any timer", () => {
    const acks = new PendingAcks();
    const now = Date.now();
    for (let id = 0; id < 1000; id++) acks.setUntil(id, () => undefined, now - 1);
    expect(acks.size).toBeLessThan(64);
    acks.setUntil(5000, () => undefined, now + 60_000);
    acks.sweep(now);
    expect(acks.take(5000)).toBeTypeOf("function");
    expect(acks.size).toBe(0);
  });

  it("keeps broadcast acks that are still awaited", () => {
    const acks = new PendingAcks();
    const later = Date.now() + 60_000;
    for (let id = 0; id < 200; id++) acks.setUntil(id, () => undefined, later);
    expect(acks.size).toBe(200);
    expect(acks.take(0)).toBeTypeOf("function");
  });
});

describe("singleShot", () => {
  it("sends only the first reply", () => {
    const sent: unknown[][] = [];
    const reply = singleShot((args) => sent.push(args));
    reply(1);
    reply(2);
    expect(sent).toEqual([[1]]);
  });
});
