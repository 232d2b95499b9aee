// The session API as applications use it, run against our engine and the official engine.io 6.6
// with the same raw requests: send() forms and values, write callbacks, the packet objects of
// packetCreate/flush, close() inside a payload's handler, and the transports' own events.
import type { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { anyEngineStarter, ENGINE_KINDS } from "./support/any-engine.js";
import {
  type EngineHarness,
  openWebSocket,
  rawPoll,
  rawPost,
  requestArrives,
  waitForEvent,
} from "./support/engine-harness.js";

/** The part of a session (ours or the official `Socket`) these tests drive. */
interface AnySession extends EventEmitter {
  readonly id: string;
  readonly transport: EventEmitter & { readonly name: string; readonly writable: boolean };
  send(data: unknown, options?: unknown, callback?: unknown): unknown;
  close(discard?: boolean): unknown;
}

const start = anyEngineStarter();

/** A polling handshake; resolves with the sid and the server-side session. */
async function pollingSession(h: EngineHarness): Promise<{ sid: string; session: AnySession }> {
  const connection = waitForEvent<[AnySession]>(h.engine, "connection");
  const open = await rawPoll(h);
  const sid = (JSON.parse(open.body.slice(1)) as { sid: string }).sid;
  const [session] = await connection;
  return { sid, session };
}

describe.each(ENGINE_KINDS)("session API (%s engine)", (kind) => {
  it("sends a number or an object as its string form, and empty values as a bare message", async () => {
    const h = await start(kind);
    const { sid, session } = await pollingSession(h);
    for (const value of [42, { a: 1 }, 0, "", null]) session.send(value);
    expect((await rawPoll(h, sid)).body).toBe("442\x1e4[object Object]\x1e4\x1e4\x1e4");
  });

  it("shows each packet with its options in packetCreate, and the same objects in flush", async () => {
    const h = await start(kind);
    const { sid, session } = await pollingSession(h);
    const created: unknown[] = [];
    const flushed: unknown[][] = [];
    const engineFlushed: unknown[][] = [];
    session.on("packetCreate", (packet) => created.push(packet));
    session.on("flush", (packets: unknown[]) => flushed.push([...packets]));
    h.engine.on("flush", (_session, packets) => engineFlushed.push([...packets]));
    session.send("a", { compress: false });
    session.send("b");
    session.send("");
    await rawPoll(h, sid);
    expect(created).toEqual([
      { type: "message", options: { compress: false }, data: "a" },
      { type: "message", options: { compress: true }, data: "b" },
      { type: "message", options: { compress: true } },
    ]);
    expect(flushed).toHaveLength(1);
    expect(flushed[0]).toEqual(created);
    for (const [i, packet] of created.entries()) expect(flushed[0]?.[i]).toBe(packet);
    expect(engineFlushed).toEqual(flushed);
  });

  it("calls each packet's callback once, with the transport, once a polling answer is written", async () => {
    const h = await start(kind);
    const { sid, session } = await pollingSession(h);
    const calls: string[] = [];
    session.send("a", (transport: { name: string }) => calls.push(`a ${transport.name}`));
    session.send("b", {}, (transport: { name: string }) => calls.push(`b ${transport.name}`));
    session.send("c");
    const drained = waitForEvent(session, "drain");
    expect((await rawPoll(h, sid)).body).toBe("4a\x1e4b\x1e4c");
    await drained;
    expect(calls).toEqual(["a polling", "b polling"]);
  });

  it("calls each packet's callback once, with the transport, once WebSocket frames are written", async () => {
    const h = await start(kind);
    const connection = waitForEvent<[AnySession]>(h.engine, "connection");
    const client = await openWebSocket(h, {});
    const [session] = await connection;
    await client.next();
    const calls: string[] = [];
    const written = new Promise<void>((resolve) => {
      session.send("a", (transport: { name: string }) => calls.push(`a ${transport.name}`));
      session.send("b", { compress: false }, (transport: { name: string }) => {
        calls.push(`b ${transport.name}`);
        resolve();
      });
    });
    await written;
    expect(calls).toEqual(["a websocket", "b websocket"]);
    expect(await client.next()).toBe("4a");
    expect(await client.next()).toBe("4b");
  });

  it("does not call the callbacks of packets still buffered when the session closes", async () => {
    const h = await start(kind);
    const { session } = await pollingSession(h);
    const calls: string[] = [];
    session.send("never", () => calls.push("called"));
    const closed = waitForEvent(session, "close");
    session.close(true);
    await closed;
    // A complete round trip on the same engine after the close: the callback had its chance.
    await pollingSession(h);
    expect(calls).toEqual([]);
  });

  it("stops reading a payload once a message handler closes the session", async () => {
    const h = await start(kind);
    const { sid, session } = await pollingSession(h);
    const messages: unknown[] = [];
    const reasons: unknown[] = [];
    session.on("message", (data) => {
      messages.push(data);
      session.close();
    });
    session.on("close", (reason) => reasons.push(reason));
    const arrived = requestArrives(h);
    const poll = rawPoll(h, sid);
    await arrived;
    const post = await rawPost(h, sid, "4first\x1e4second\x1ebAQID\x1e4third");
    expect(post.status).toBe(200);
    expect(post.body).toBe("ok");
    expect((await poll).body).toBe("1");
    expect(messages).toEqual(["first"]);
    expect(reasons).toEqual(["forced close"]);
  });

  it("emits packet, drain and close on the transport, and error when a poll is cut off", async () => {
    const h = await start(kind);
    const { sid, session } = await pollingSession(h);
    const transport = session.transport;
    const events: string[] = [];
    transport.on("packet", (packet: { type: string; data?: unknown }) => {
      events.push(`packet ${packet.type} ${String(packet.data)}`);
    });
    transport.on("drain", () => events.push("drain"));
    transport.on("close", () => events.push("close"));
    const errors: unknown[] = [];
    transport.on("error", (error) => errors.push(error));
    await rawPost(h, sid, "4hello");
    session.send("out");
    await rawPoll(h, sid);
    expect(events).toEqual(["packet message hello", "drain"]);
    const closed = waitForEvent(session, "close");
    const controller = new AbortController();
    const arrived = requestArrives(h);
    const aborted = rawPoll(h, sid, {}, { signal: controller.signal }).catch(() => "aborted");
    await arrived;
    controller.abort();
    expect(await aborted).toBe("aborted");
    await closed;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(Error);
    expect(errors[0]).toMatchObject({
      message: "poll connection closed prematurely",
      type: "TransportError",
    });
    expect(events.at(-1)).toBe("close");
  });

  it("emits packet, drain, ready and close on a WebSocket transport", async () => {
    const h = await start(kind);
    const connection = waitForEvent<[AnySession]>(h.engine, "connection");
    const client = await openWebSocket(h, {});
    const [session] = await connection;
    await client.next();
    const transport = session.transport;
    const events: string[] = [];
    transport.on("packet", (packet: { type: string; data?: unknown }) => {
      events.push(`packet ${packet.type} ${String(packet.data)}`);
    });
    transport.on("drain", () => events.push("drain"));
    transport.on("ready", () => events.push("ready"));
    transport.on("close", () => events.push("close"));
    const received = waitForEvent(session, "message");
    client.ws.send("4hello");
    await received;
    const ready = waitForEvent(transport, "ready");
    session.send("out");
    await ready;
    expect(transport.writable).toBe(true);
    const closed = waitForEvent(transport, "close");
    client.ws.close();
    await closed;
    expect(events).toEqual(["packet message hello", "drain", "ready", "close"]);
  });
});
