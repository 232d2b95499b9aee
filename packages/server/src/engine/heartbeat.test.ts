import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HeartbeatNode, HeartbeatScheduler } from "./heartbeat.js";

/** The old one-session shape, over a scheduler shared with nobody else. */
class Heartbeat {
  readonly node = new HeartbeatNode();
  readonly #scheduler: HeartbeatScheduler<HeartbeatNode>;
  constructor(intervalMs: number, timeoutMs: number, onPing: () => void, onTimeout: () => void) {
    this.#scheduler = new HeartbeatScheduler(intervalMs, timeoutMs, onPing, onTimeout);
  }
  start(): void {
    this.#scheduler.start(this.node);
  }
  onPong(): void {
    this.#scheduler.onPong(this.node);
  }
  onActivity(): void {
    this.#scheduler.onActivity(this.node);
  }
  stop(): void {
    this.#scheduler.stop(this.node);
  }
}

/** A 100 ms / 50 ms heartbeat whose pings and timeouts are recorded in `events`, in order. */
function recorded(): { events: string[]; heartbeat: Heartbeat } {
  const events: string[] = [];
  const heartbeat = new Heartbeat(
    100,
    50,
    () => events.push("ping"),
    () => events.push("timeout"),
  );
  return { events, heartbeat };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("Heartbeat", () => {
  it("pings after the interval and times out pingTimeout after the ping", () => {
    const { events, heartbeat } = recorded();
    heartbeat.start();
    vi.advanceTimersByTime(99);
    expect(events).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(events).toEqual(["ping"]);
    vi.advanceTimersByTime(49);
    expect(events).toEqual(["ping"]);
    vi.advanceTimersByTime(1);
    expect(events).toEqual(["ping", "timeout"]);
  });

  it("restarts the interval on pong and never times out while pongs arrive", () => {
    const { events, heartbeat } = recorded();
    heartbeat.start();
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(100);
      vi.advanceTimersByTime(40);
      heartbeat.onPong();
    }
    expect(events).toEqual(["ping", "ping", "ping", "ping", "ping"]);
  });

  it("stops both timers", () => {
    const { events, heartbeat } = recorded();
    heartbeat.start();
    vi.advanceTimersByTime(100);
    heartbeat.stop();
    vi.advanceTimersByTime(1000);
    expect(events).toEqual(["ping"]);
  });
});

describe("Heartbeat deadline refresh", () => {
  it("restarts the pong deadline once per ping when other traffic arrives", () => {
    const { events, heartbeat } = recorded();
    heartbeat.start();
    vi.advanceTimersByTime(100);
    vi.advanceTimersByTime(40);
    heartbeat.onActivity();
    vi.advanceTimersByTime(40);
    // 80 ms after the ping: without the refresh the deadline (50 ms) would have passed.
    expect(events).toEqual(["ping"]);
    heartbeat.onActivity();
    vi.advanceTimersByTime(10);
    // Only one refresh per ping: the deadline is 50 ms after the first activity.
    expect(events).toEqual(["ping", "timeout"]);
  });

  it("does nothing while no pong is awaited, and refreshes again after the next ping", () => {
    const { events, heartbeat } = recorded();
    heartbeat.start();
    heartbeat.onActivity();
    vi.advanceTimersByTime(100);
    vi.advanceTimersByTime(30);
    heartbeat.onPong();
    vi.advanceTimersByTime(100);
    expect(events).toEqual(["ping", "ping"]);
    vi.advanceTimersByTime(45);
    heartbeat.onActivity();
    vi.advanceTimersByTime(45);
    expect(events).toEqual(["ping", "ping"]);
    vi.advanceTimersByTime(5);
    expect(events).toEqual(["ping", "ping", "timeout"]);
  });
});

describe("Heartbeat stopped from its own ping", () => {
  it("leaves no pong deadline behind when sending the ping stops it", () => {
    const events: string[] = [];
    const heartbeat: Heartbeat = new Heartbeat(
      100,
      50,
      () => {
        events.push("ping");
        heartbeat.stop();
      },
      () => events.push("timeout"),
    );
    heartbeat.start();
    vi.advanceTimersByTime(100);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(events).toEqual(["ping"]);
  });
});

describe("HeartbeatScheduler with many sessions", () => {
  it("keeps each session's own timing with one timer", () => {
    const events: string[] = [];
    const names = new Map<HeartbeatNode, string>();
    const scheduler = new HeartbeatScheduler<HeartbeatNode>(
      100,
      50,
      (node) => events.push(`ping ${names.get(node)}`),
      (node) => events.push(`timeout ${names.get(node)}`),
    );
    const a = new HeartbeatNode();
    const b = new HeartbeatNode();
    names.set(a, "a").set(b, "b");
    scheduler.start(a);
    vi.advanceTimersByTime(30);
    scheduler.start(b);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(70);
    expect(events).toEqual(["ping a"]);
    vi.advanceTimersByTime(30);
    expect(events).toEqual(["ping a", "ping b"]);
    scheduler.onPong(a);
    vi.advanceTimersByTime(49);
    expect(events).toEqual(["ping a", "ping b"]);
    vi.advanceTimersByTime(1);
    expect(events).toEqual(["ping a", "ping b", "timeout b"]);
    vi.advanceTimersByTime(50);
    expect(events).toEqual(["ping a", "ping b", "timeout b", "ping a"]);
    scheduler.stop(a);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("stops one session without touching the others", () => {
    const events: string[] = [];
    const scheduler = new HeartbeatScheduler<HeartbeatNode>(
      100,
      50,
      () => events.push("ping"),
      () => events.push("timeout"),
    );
    const nodes = [new HeartbeatNode(), new HeartbeatNode(), new HeartbeatNode()];
    for (const node of nodes) scheduler.start(node);
    scheduler.stop(nodes[1] as HeartbeatNode);
    vi.advanceTimersByTime(100);
    expect(events).toEqual(["ping", "ping"]);
    vi.advanceTimersByTime(50);
    expect(events).toEqual(["ping", "ping", "timeout", "timeout"]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
