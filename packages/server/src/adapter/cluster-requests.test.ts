import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PendingRequests, randomId } from "./cluster-requests.js";

describe("pending cluster requests", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("resolves with every response once each node answered", async () => {
    const requests = new PendingRequests();
    const outcome = requests.start<number>("r1", ["a", "b"], 1000);
    requests.respond("r1", "a", [1]);
    requests.respond("r1", "a", [99]);
    requests.respond("r1", "stranger", [99]);
    requests.respond("r1", "b", [2, 3]);
    expect(await outcome).toEqual({ responses: [1, 2, 3], late: [], timedOut: false });
    expect(requests.size).toBe(0);
  });

  it("returns what arrived and names the late nodes on timeout", async () => {
    const requests = new PendingRequests();
    const outcome = requests.start<number>("r2", ["a", "b", "c"], 1000);
    requests.respond("r2", "b", [2]);
    vi.advanceTimersByTime(1000);
    expect(await outcome).toEqual({ responses: [2], late: ["a", "c"], timedOut: true });
  });

  it("stops waiting for a node that left the cluster", async () => {
    const requests = new PendingRequests();
    const outcome = requests.start<number>("r3", ["a", "b"], 1000);
    requests.respond("r3", "a", [1]);
    requests.nodeLeft("b");
    expect(await outcome).toEqual({ responses: [1], late: [], timedOut: false });
  });

  it("resolves at once when nobody is expected, and on finishAll", async () => {
    const requests = new PendingRequests();
    expect(await requests.start("r4", [], 1000)).toEqual({
      responses: [],
      late: [],
      timedOut: false,
    });
    const pending = requests.start("r5", ["a"], 1000);
    requests.finishAll();
    expect(await pending).toEqual({ responses: [], late: ["a"], timedOut: true });
  });

  it("makes 16-hex-character ids", () => {
    expect(randomId()).toMatch(/^[0-9a-f]{16}$/);
    expect(randomId()).not.toBe(randomId());
  });
});
