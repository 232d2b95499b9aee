import { describe, expect, it } from "vitest";
import { OrderedRetry } from "./ordered-retry.js";

/** A fake Redis: refuses while `down`, records what it executed in order. */
function fakeRedis() {
  const executed: number[] = [];
  const state = { down: false };
  const command = (n: number) => () =>
    state.down ? Promise.reject(new Error("CLUSTERDOWN")) : Promise.resolve(executed.push(n));
  return { executed, state, command };
}

describe("OrderedRetry", () => {
  it("runs commands at once while Redis answers", async () => {
    const redis = fakeRedis();
    const retry = new OrderedRetry();
    await Promise.all([1, 2, 3].map((n) => retry.run(redis.command(n))));
    expect(redis.executed).toEqual([1, 2, 3]);
    expect(retry.counters).toEqual({ held: 0, retries: 0, failed: 0 });
  });

  it("holds a failed command and every later one, then runs them in order once Redis is back", async () => {
    const redis = fakeRedis();
    const retry = new OrderedRetry({ intervalMs: 5, timeoutMs: 5_000 });
    redis.state.down = true;
    const runs = [1, 2, 3, 4].map((n) => retry.run(redis.command(n)));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(retry.holding).toBe(true);
    const later = retry.run(redis.command(5));
    redis.state.down = false;
    await Promise.all([...runs, later]);
    expect(redis.executed).toEqual([1, 2, 3, 4, 5]);
    expect(retry.counters.held).toBe(4);
    expect(retry.counters.retries).toBeGreaterThan(0);
    expect(retry.holding).toBe(false);
  });

  it("fails the held commands once the bound passes, counted, and goes on afterwards", async () => {
    const redis = fakeRedis();
    const retry = new OrderedRetry({ intervalMs: 5, timeoutMs: 40 });
    redis.state.down = true;
    const results = await Promise.allSettled([1, 2].map((n) => retry.run(redis.command(n))));
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(retry.counters.failed).toBe(2);
    redis.state.down = false;
    await retry.run(redis.command(3));
    expect(redis.executed).toEqual([3]);
  });

  it("refuses more than maxQueued waiting commands at once", async () => {
    const redis = fakeRedis();
    const retry = new OrderedRetry({ intervalMs: 5, timeoutMs: 1_000, maxQueued: 2 });
    redis.state.down = true;
    const held = [1, 2].map((n) => retry.run(redis.command(n)));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(retry.run(redis.command(3))).rejects.toThrow(/too many/);
    redis.state.down = false;
    await Promise.all(held);
    expect(redis.executed).toEqual([1, 2]);
    expect(retry.counters.failed).toBe(1);
  });

  it("keeps a command's place when it fails after later ones were already waiting", async () => {
    const executed: string[] = [];
    const retry = new OrderedRetry({ intervalMs: 5, timeoutMs: 2_000 });
    let failFirst = true;
    let release: () => void = () => undefined;
    const slowFailure = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The first command is in flight when Redis goes down; it fails after the second waits.
    const first = retry.run(async () => {
      if (failFirst) {
        failFirst = false;
        await slowFailure;
        throw new Error("connection lost");
      }
      executed.push("first");
    });
    let down = true;
    const second = retry.run(async () => {
      if (down) throw new Error("CLUSTERDOWN");
      executed.push("second");
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    down = false;
    await Promise.all([first, second]);
    expect(executed).toEqual(["first", "second"]);
  });

  it("fails what waits when closed", async () => {
    const redis = fakeRedis();
    const retry = new OrderedRetry({ intervalMs: 5 });
    redis.state.down = true;
    const held = retry.run(redis.command(1));
    await new Promise((resolve) => setTimeout(resolve, 10));
    retry.close();
    await expect(held).rejects.toThrow(/closed/);
  });
});
