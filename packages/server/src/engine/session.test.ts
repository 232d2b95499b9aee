import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import type {
  OutboundPacket,
  Transport,
  TransportEvents,
  TransportSink,
} from "../transport/transport.js";
import { resolveEngineOptions } from "./options.js";
import { EngineSession } from "./session.js";
import type { SessionContext } from "./session-types.js";

/** A transport that records what the session hands it. */
class FakeTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly name = "polling" as const;
  readonly handlesUpgrades = false;
  writable = false;
  get canFlush(): boolean {
    return this.writable;
  }
  bufferedBytes = 0;
  sink: TransportSink | undefined;
  batches: string[][] = [];
  closed = 0;
  bind(sink: TransportSink): void {
    this.sink = sink;
  }
  send(packets: readonly OutboundPacket[], onSent: () => void): void {
    this.batches.push(packets.map((packet) => packet.encoded.pollingText()));
    queueMicrotask(onSent);
  }
  discard(): void {}
  close(onClosed?: () => void): void {
    this.closed++;
    onClosed?.();
  }
}

const request = { socket: { remoteAddress: "10.0.0.1" } } as unknown as IncomingMessage;
const sessions: EngineSession[] = [];

function createSession(options = {}): { session: EngineSession; transport: FakeTransport } {
  const transport = new FakeTransport();
  const resolved = resolveEngineOptions({ pingInterval: 60_000, ...options });
  const context: SessionContext = {
    options: resolved,
    upgrades: ["websocket"],
    heartbeats: EngineSession.createHeartbeats(resolved),
    wantsFlush: () => false,
    onFlush: () => {},
    onDrain: () => {},
  };
  const session = new EngineSession("sid-1", context, transport, request);
  sessions.push(session);
  return { session, transport };
}

const tick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

afterEach(() => {
  for (const session of sessions.splice(0)) session.close(true);
});

describe("EngineSession", () => {
  it("queues the open packet and flushes once the transport is writable", async () => {
    const { session, transport } = createSession();
    await tick();
    expect(transport.batches).toEqual([]);
    transport.writable = true;
    transport.sink?.onWritable();
    expect(transport.batches).toHaveLength(1);
    expect(transport.batches[0]?.[0]).toMatch(/^0\{"sid":"sid-1","upgrades":\["websocket"\]/);
    expect(session.remoteAddress).toBe("10.0.0.1");
  });

  it("hands all packets written in one tick to one transport.send", async () => {
    const { session, transport } = createSession();
    transport.writable = true;
    transport.sink?.onWritable();
    session.send("a");
    session.send("b");
    session.sendPacket("noop");
    await tick();
    expect(transport.batches.slice(1)).toEqual([["4a", "4b", "6"]]);
  });

  it("closes gracefully only after the buffer drained", async () => {
    const { session, transport } = createSession();
    const reasons: string[] = [];
    session.on("close", (reason) => reasons.push(reason));
    session.send("last");
    session.close();
    expect(session.readyState).toBe("closing");
    expect(session.send("ignored")).toBe(session);
    transport.writable = true;
    transport.sink?.onWritable();
    await tick();
    expect(reasons).toEqual(["forced close"]);
    expect(transport.batches.flat()).not.toContain("4ignored");
  });

  it("sends packets buffered behind an in-flight batch before a graceful close", async () => {
    const { session, transport } = createSession();
    const inFlight: Array<() => void> = [];
    transport.send = (packets, onSent) => {
      transport.batches.push(packets.map((packet) => packet.encoded.pollingText()));
      inFlight.push(onSent);
    };
    const reasons: string[] = [];
    session.on("close", (reason) => reasons.push(reason));
    transport.writable = true;
    transport.sink?.onWritable();
    session.send("a");
    await tick();
    session.send("b");
    session.close();
    for (const sent of inFlight.splice(0)) sent();
    await tick();
    for (const sent of inFlight.splice(0)) sent();
    await tick();
    expect(transport.batches.flat()).toContain("4b");
    expect(reasons).toEqual(["forced close"]);
  });

  it("closes with transport error on a client ping and ignores packets afterwards", () => {
    const { session } = createSession();
    const events: unknown[] = [];
    session.on("close", (reason, description) =>
      events.push(reason, (description as Error).message),
    );
    session.on("message", (data) => events.push(data));
    const sink = (session as unknown as { transport: FakeTransport }).transport.sink;
    sink?.onPacket({ type: "message", data: "before" });
    sink?.onPacket({ type: "ping" });
    sink?.onPacket({ type: "message", data: "after" });
    expect(events).toEqual(["before", "transport error", "invalid heartbeat direction"]);
  });

  // The queued open packet (~100 bytes) counts too.
  it("drops volatile packets past the soft bound and closes past the hard one", () => {
    const { session } = createSession({ maxBufferedBytes: 120, maxBufferedBytesHard: 200 });
    const closes: unknown[] = [];
    session.on("close", (reason, description) =>
      closes.push(reason, (description as { code: string }).code),
    );
    expect(session.sendPacket("message", "x".repeat(20))).toBe(true);
    expect(session.sendPacket("message", "v", { volatile: true })).toBe(false);
    expect(session.sendPacket("message", "y".repeat(100))).toBe(false);
    expect(closes).toEqual(["write buffer overflow", "SY_ERR_ENGINE_WRITE_BUFFER_OVERFLOW"]);
    expect(session.readyState).toBe("closed");
  });

  it("counts multibyte text in bytes against maxBufferedBytesHard", () => {
    const { session } = createSession({ maxBufferedBytes: 120, maxBufferedBytesHard: 200 });
    const closes: unknown[] = [];
    session.on("close", (reason) => closes.push(reason));
    // 40 characters, 120 bytes of UTF-8: with the ~100-byte open packet it passes 200 bytes.
    expect(session.sendPacket("message", "€".repeat(40))).toBe(false);
    expect(closes).toEqual(["write buffer overflow"]);
  });

  it("waits for a pong delayed behind other packets: traffic pushes the deadline back once", () => {
    vi.useFakeTimers();
    try {
      const { session, transport } = createSession({ pingInterval: 100, pingTimeout: 50 });
      const reasons: string[] = [];
      session.on("close", (reason) => reasons.push(reason));
      vi.advanceTimersByTime(140);
      transport.sink?.onPacket({ type: "message", data: "upload" });
      vi.advanceTimersByTime(40);
      expect(reasons).toEqual([]);
      transport.sink?.onPacket({ type: "pong" });
      vi.advanceTimersByTime(100 + 49);
      expect(reasons).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(reasons).toEqual(["ping timeout"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("throws at the call site for Blob data and keeps the session usable", async () => {
    const { session, transport } = createSession();
    transport.writable = true;
    transport.sink?.onWritable();
    expect(() => session.send(new Blob([new Uint8Array([1])]))).toThrow(
      expect.objectContaining({ code: "SY_ERR_SERVER_INVALID_ARGUMENT" }),
    );
    session.send("after");
    await tick();
    expect(session.readyState).toBe("open");
    expect(transport.batches.at(-1)).toEqual(["4after"]);
  });
});
