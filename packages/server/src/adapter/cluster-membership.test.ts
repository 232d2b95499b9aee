import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Membership } from "./cluster-membership.js";

function setup() {
  const events: string[] = [];
  const membership = new Membership(
    {
      sendHeartbeat: () => events.push("heartbeat"),
      nodeJoined: (uid) => events.push(`joined ${uid}`),
      nodeLeft: (uid, reason) => events.push(`left ${uid} ${reason}`),
    },
    { heartbeatInterval: 100, heartbeatTimeout: 400 },
  );
  return { membership, events };
}

describe("cluster membership", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends a heartbeat only after a quiet interval", () => {
    const { membership, events } = setup();
    membership.start();
    vi.advanceTimersByTime(90);
    membership.published();
    vi.advanceTimersByTime(90);
    expect(events).toEqual([]);
    vi.advanceTimersByTime(10);
    expect(events).toEqual(["heartbeat"]);
    vi.advanceTimersByTime(100);
    expect(events).toEqual(["heartbeat", "heartbeat"]);
    membership.stop();
  });

  it("adds a node on its first message and drops it after the heartbeat timeout", () => {
    const { membership, events } = setup();
    membership.start();
    membership.seen("n1");
    membership.seen("n1");
    membership.seen("emitter");
    expect(membership.peers).toEqual(["n1"]);
    vi.advanceTimersByTime(300);
    membership.seen("n1");
    vi.advanceTimersByTime(300);
    expect(membership.size).toBe(1);
    vi.advanceTimersByTime(200);
    expect(membership.size).toBe(0);
    expect(events.filter((e) => !e.startsWith("heartbeat"))).toEqual([
      "joined n1",
      "left n1 timeout",
    ]);
    membership.stop();
  });

  it("drops a node at once when it says ADAPTER_CLOSE", () => {
    const { membership, events } = setup();
    membership.seen("n2");
    membership.closed("n2");
    membership.closed("unknown");
    expect(membership.size).toBe(0);
    expect(events).toEqual(["joined n2", "left n2 close"]);
  });

  it("does not take back a closed node when one of its earlier messages arrives late", () => {
    const { membership, events } = setup();
    membership.seen("n3");
    membership.closed("n3");
    membership.seen("n3");
    expect(membership.size).toBe(0);
    membership.sweep(Date.now() + 1000);
    membership.seen("n3");
    expect(events).toEqual(["joined n3", "left n3 close", "joined n3"]);
  });
});
