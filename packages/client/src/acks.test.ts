import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type AckCallback, AckRegistry, type EmitFlags, RetryQueue } from "./acks.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("AckRegistry", () => {
  it("calls a timed ack with 'operation has timed out' and runs the timeout hook", () => {
    const registry = new AckRegistry();
    const ack = vi.fn();
    const onTimeout = vi.fn();
    registry.register(1, ack, 100, onTimeout, {});
    vi.advanceTimersByTime(99);
    expect(ack).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onTimeout).toHaveBeenCalledOnce();
    expect(ack.mock.calls[0]?.[0]).toHaveProperty("message", "operation has timed out");
    expect(registry.take(1)).toBeUndefined();
  });

  it("marks timed acks error-first and cancels their timer when taken", () => {
    const registry = new AckRegistry();
    const ack = vi.fn();
    registry.register(7, ack, 100, () => {}, {});
    const taken = registry.take(7) as AckCallback;
    expect(taken.withError).toBe(true);
    taken(null, "ok");
    vi.advanceTimersByTime(1000);
    expect(ack.mock.calls).toEqual([[null, "ok"]]);
  });

  it("on disconnect fails sent error-first acks, drops plain ones and keeps buffered ones", () => {
    const registry = new AckRegistry();
    const timed = vi.fn();
    const plain = vi.fn();
    const buffered = vi.fn();
    registry.register(1, timed, 1000, () => {}, {});
    registry.register(2, plain, undefined, () => {}, {});
    registry.register(3, buffered, 1000, () => {}, {});
    registry.clear((id) => id === 3);
    expect(timed.mock.calls[0]?.[0]).toHaveProperty("message", "socket has been disconnected");
    expect(plain).not.toHaveBeenCalled();
    expect(buffered).not.toHaveBeenCalled();
    // Only the buffered ack is left.
    expect(registry.take(1)).toBeUndefined();
    expect(registry.take(2)).toBeUndefined();
    expect(registry.take(3)).toBeDefined();
  });
});

describe("RetryQueue", () => {
  function harness(retries: number) {
    const sent: Array<{ args: unknown[]; flags: EmitFlags }> = [];
    let connected = true;
    const queue = new RetryQueue(
      retries,
      (args, flags) => sent.push({ args, flags }),
      () => connected,
    );
    const respond = (index: number, ...response: unknown[]): void => {
      const callback = sent[index]?.args.at(-1) as (...a: unknown[]) => void;
      callback(...response);
    };
    return { sent, queue, respond, setConnected: (v: boolean) => (connected = v) };
  }

  it("sends one packet at a time, in order, flagged fromQueue", () => {
    const { sent, queue, respond } = harness(2);
    queue.add(["a", 1], {});
    queue.add(["b", 2], { compress: false });
    expect(sent.map((s) => s.args[0])).toEqual(["a"]);
    expect(sent[0]?.flags.fromQueue).toBe(true);
    respond(0, null, "ok");
    expect(sent.map((s) => s.args[0])).toEqual(["a", "b"]);
    expect(sent[1]?.flags).toEqual({ compress: false, fromQueue: true });
  });

  it("resends on error until tryCount exceeds retries, then fails the user ack", () => {
    const { sent, queue, respond } = harness(1);
    const ack = vi.fn();
    queue.add(["job", ack], {});
    respond(0, new Error("timeout"));
    expect(sent).toHaveLength(2);
    respond(1, new Error("timeout"));
    expect(sent).toHaveLength(2);
    expect(ack).toHaveBeenCalledOnce();
    queue.drain(true); // the queue is empty: nothing to resend
    expect(sent).toHaveLength(2);
  });

  it("passes the response to the user ack and ignores answers for packets no longer at the head", () => {
    const { queue, respond } = harness(3);
    const ack = vi.fn();
    queue.add(["job", ack], {});
    respond(0, null, "r1");
    respond(0, null, "r2");
    expect(ack.mock.calls).toEqual([[null, "r1"]]);
  });

  it("waits while disconnected and force-resends the in-flight packet on reconnect", () => {
    const { sent, queue, setConnected } = harness(3);
    setConnected(false);
    queue.add(["job"], {});
    expect(sent).toHaveLength(0);
    setConnected(true);
    queue.drain();
    queue.drain();
    expect(sent).toHaveLength(1);
    queue.drain(true);
    expect(sent).toHaveLength(2);
  });
});
