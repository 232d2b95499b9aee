import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../engine/errors.js";
import { createEventRateLimiter, EVENT_RATE_LIMIT_DEFAULTS } from "./event-rate-limit.js";

describe("createEventRateLimiter", () => {
  it("is on by default with the documented values, off with false", () => {
    const limiter = createEventRateLimiter(undefined);
    expect(limiter?.rate).toEqual({ perSecond: 1000, burst: 2000 });
    expect(limiter?.action).toBe(EVENT_RATE_LIMIT_DEFAULTS.onLimit);
    expect(createEventRateLimiter(false)).toBeUndefined();
  });

  it("refuses invalid values", () => {
    expect(() => createEventRateLimiter({ perSecond: 0 })).toThrow(InvalidArgumentError);
    expect(() => createEventRateLimiter({ burst: 0.5 })).toThrow(InvalidArgumentError);
    const onLimit = "close" as "drop";
    expect(() => createEventRateLimiter({ onLimit })).toThrow(InvalidArgumentError);
  });

  it("keeps one bucket per socket and counts drops and disconnects once per socket", () => {
    const limiter = createEventRateLimiter({ perSecond: 0.001, burst: 2 });
    if (limiter === undefined) throw new Error("limiter expected");
    const [a, b] = [{}, {}];
    expect([limiter.take(a), limiter.take(a), limiter.take(a)]).toEqual([true, true, false]);
    expect(limiter.take(b)).toBe(true);
    expect(limiter.claimDisconnect(a)).toBe(true);
    expect(limiter.take(a)).toBe(false);
    expect(limiter.claimDisconnect(a)).toBe(false);
    expect(limiter.counters).toEqual({ dropped: 2, disconnected: 1 });
  });
});
