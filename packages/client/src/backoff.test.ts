import { describe, expect, it } from "vitest";
import { Backoff } from "./backoff.js";

describe("Backoff", () => {
  it("doubles from min on every attempt and caps at max without jitter", () => {
    const backoff = new Backoff({ min: 100, max: 1000 });
    expect([1, 2, 3, 4, 5].map(() => backoff.duration())).toEqual([100, 200, 400, 800, 1000]);
    expect(backoff.attempts).toBe(5);
  });

  it("starts over at min after reset", () => {
    const backoff = new Backoff({ min: 50, max: 5000 });
    backoff.duration();
    backoff.duration();
    backoff.reset();
    expect(backoff.duration()).toBe(50);
  });

  it("subtracts the deviation when floor(rand * 10) is even and adds it when odd", () => {
    // rand 0.25 → floor(2.5) = 2 (even): 1000 - floor(0.25 * 0.5 * 1000) = 875.
    expect(new Backoff({ min: 1000, max: 10_000, jitter: 0.5 }, () => 0.25).duration()).toBe(875);
    // rand 0.35 → floor(3.5) = 3 (odd): 1000 + floor(0.35 * 0.5 * 1000) = 1175.
    expect(new Backoff({ min: 1000, max: 10_000, jitter: 0.5 }, () => 0.35).duration()).toBe(1175);
  });

  it("caps a jittered delay at max and truncates to an integer", () => {
    const backoff = new Backoff({ min: 4000, max: 5000, jitter: 0.5 }, () => 0.99);
    expect(backoff.duration()).toBe(5000);
    const fractional = new Backoff({ min: 333, max: 5000, jitter: 0.3 }, () => 0.15);
    expect(Number.isInteger(fractional.duration())).toBe(true);
  });

  it("ignores a jitter outside (0, 1]", () => {
    const backoff = new Backoff({ min: 100, max: 1000, jitter: 2 }, () => 0.35);
    expect(backoff.jitter).toBe(0);
    expect(backoff.duration()).toBe(100);
    backoff.setJitter(0);
    expect(backoff.jitter).toBe(0);
  });
});
