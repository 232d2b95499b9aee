import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { POLLING_CLOSE_TIMEOUT_MS, PollingTransport } from "./polling.js";
import type { TransportSink } from "./transport.js";

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function createTransport(): { transport: PollingTransport; events: string[] } {
  const transport = new PollingTransport({
    maxHttpBufferSize: 1000,
    httpCompression: false,
    decorateHeaders: () => {},
  });
  const events: string[] = [];
  const sink: TransportSink = {
    onPacket: (packet) => events.push(`packet:${packet.type}`),
    onParseError: () => events.push("parse error"),
    onError: (description) => events.push(`error:${description}`),
    onClose: () => events.push("close"),
    onWritable: () => events.push("writable"),
  };
  transport.bind(sink);
  return { transport, events };
}

describe("PollingTransport close without a pending GET", () => {
  it("waits for the next GET, and gives up after closeTimeout (30 s)", () => {
    const { transport } = createTransport();
    const closed = vi.fn();
    transport.close(closed);
    vi.advanceTimersByTime(POLLING_CLOSE_TIMEOUT_MS - 1);
    expect(closed).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(closed).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("stops waiting at once when discarded and closed again, telling only the new caller", () => {
    const { transport } = createTransport();
    const deferred = vi.fn();
    const overtaking = vi.fn();
    transport.close(deferred);
    transport.discard();
    transport.close(overtaking);
    expect(overtaking).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(POLLING_CLOSE_TIMEOUT_MS);
    expect(deferred).not.toHaveBeenCalled();
  });

  it("closes at once, with no timer, when already discarded", () => {
    const { transport } = createTransport();
    const closed = vi.fn();
    transport.discard();
    transport.close(closed);
    expect(closed).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
