import { describe, expect, it } from "vitest";
import { TokenBucket } from "./token-bucket.js";

const rate = { perSecond: 10, burst: 3 };

describe("TokenBucket", () => {
  it("lets the burst pass at once, then refuses until time refills it", () => {
    const bucket = new TokenBucket(rate, 0);
    expect([1, 2, 3, 4].map(() => bucket.take(rate, 0))).toEqual([true, true, true, false]);
    expect(bucket.take(rate, 50)).toBe(false);
    expect(bucket.take(rate, 100)).toBe(true);
    expect(bucket.take(rate, 100)).toBe(false);
  });

  it("never holds more than the burst, however long it was idle", () => {
    const bucket = new TokenBucket(rate, 0);
    bucket.take(rate, 0);
    expect(bucket.full(rate, 0)).toBe(false);
    expect(bucket.full(rate, 100)).toBe(true);
    const taken = [1, 2, 3, 4].map(() => bucket.take(rate, 60_000));
    expect(taken).toEqual([true, true, true, false]);
  });

  it("ignores a clock that goes backwards", () => {
    const bucket = new TokenBucket(rate, 1000);
    for (let i = 0; i < 3; i++) bucket.take(rate, 1000);
    expect(bucket.take(rate, 0)).toBe(false);
    expect(bucket.take(rate, 1100)).toBe(true);
  });
});
