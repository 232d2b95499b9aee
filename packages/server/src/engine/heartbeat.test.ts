import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Heartbeat } from "./heartbeat.js";

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("Heartbeat", () => {
  it("pings after the interval and times out pingTimeout after the ping", () => {
    const events: string[] = [];
    const heartbeat = new Heartbeat(
      100,
      50,
      () => events.push("ping"),
      () => events.push("timeout"),
    );
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
    const events: string[] = [];
    const heartbeat = new Heartbeat(
      100,
      50,
      () => events.push("ping"),
      () => events.push("timeout"),
    );
    heartbeat.start();
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(100);
      vi.advanceTimersByTime(40);
      heartbeat.onPong();
    }
    expect(events).toEqual(["ping", "ping", "ping", "ping", "ping"]);
  });

  it("stops both timers", () => {
    const events: string[] = [];
    const heartbeat = new Heartbeat(
      100,
      50,
      () => events.push("ping"),
      () => events.push("timeout"),
    );
    heartbeat.start();
    vi.advanceTimersByTime(100);
    heartbeat.stop();
    vi.advanceTimersByTime(1000);
    expect(events).toEqual(["ping"]);
  });
});
