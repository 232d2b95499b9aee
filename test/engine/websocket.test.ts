// WebSocket transport (docs/protocol.md §1.8): one packet per frame, binary raw, `1` ignored, 1009 on
// an oversized frame, `b64=1` sends binary as text, permessage-deflate on request.
import type { EngineCloseReason, EngineSession } from "@switchyard/server";
import { afterEach, describe, expect, it } from "vitest";
import {
  type EngineHarness,
  expectTransportError,
  openWebSocket,
  type QueuedWebSocket,
  rawRequest,
  startEngine,
  waitForEvent,
} from "./support/engine-harness.js";

let harness: EngineHarness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function connectWs(
  options = {},
  query: Record<string, string> = {},
): Promise<{ client: QueuedWebSocket; session: EngineSession }> {
  harness ??= await startEngine(options);
  const connection = waitForEvent<[EngineSession]>(harness.engine, "connection");
  const client = await openWebSocket(harness, query);
  const [session] = await connection;
  const open = await client.next();
  expect(String(open).startsWith("0{")).toBe(true);
  return { client, session };
}

describe("websocket frames", () => {
  it("receives text as <type><data> and binary as a raw frame, and sends both back", async () => {
    const { client, session } = await connectWs();
    const received: unknown[] = [];
    session.on("message", (data) => {
      received.push(data);
      session.send(data);
    });
    client.ws.send("4hello");
    expect(await client.next()).toBe("4hello");
    client.ws.send(Buffer.from([1, 2, 3]));
    const echoed = await client.next();
    expect(Buffer.isBuffer(echoed)).toBe(true);
    expect([...(echoed as Buffer)]).toEqual([1, 2, 3]);
    expect(received[0]).toBe("hello");
    expect([...(received[1] as Buffer)]).toEqual([1, 2, 3]);
  });

  it("sends binary as b<base64> text when the client asked for b64", async () => {
    const { client, session } = await connectWs({}, { b64: "1" });
    session.send(Buffer.from([1, 2, 3, 4]));
    expect(await client.next()).toBe("bAQIDBA==");
  });

  it("decodes a b<base64> text frame from the client as a binary message", async () => {
    const { client, session } = await connectWs();
    const received = waitForEvent<[unknown]>(session, "message");
    client.ws.send("bAQID");
    const [data] = await received;
    expect(Buffer.isBuffer(data)).toBe(true);
    expect([...(data as Buffer)]).toEqual([1, 2, 3]);
  });

  it("ignores an EIO close packet over WebSocket", async () => {
    const { client, session } = await connectWs();
    client.ws.send("1");
    client.ws.send("4still-open");
    const [message] = await waitForEvent<[string]>(session, "message");
    expect(message).toBe("still-open");
    expect(session.readyState).toBe("open");
  });

  it("closes the session with transport close when the client closes the WebSocket", async () => {
    const { client, session } = await connectWs();
    const closed = waitForEvent<[EngineCloseReason]>(session, "close");
    client.ws.close();
    expect((await closed)[0]).toBe("transport close");
  });

  it("closes with 1009 on a frame over maxHttpBufferSize", async () => {
    const { client, session } = await connectWs({ maxHttpBufferSize: 64 });
    const closed = waitForEvent<[EngineCloseReason, unknown]>(session, "close");
    client.ws.send(`4${"x".repeat(100)}`);
    expect(await client.closed()).toBe(1009);
    // ws reports the oversized frame as an error before closing: a transport error.
    expectTransportError(await closed, "websocket error");
  });

  it("closes with parse error on an undecodable text frame", async () => {
    const { client, session } = await connectWs();
    const closed = waitForEvent<[EngineCloseReason]>(session, "close");
    client.ws.send("x-garbage");
    expect((await closed)[0]).toBe("parse error");
    await client.closed();
  });

  it("writes several packets of one tick in order", async () => {
    const { client, session } = await connectWs();
    for (let i = 0; i < 5; i++) session.send(`m${i}`);
    for (let i = 0; i < 5; i++) expect(await client.next()).toBe(`4m${i}`);
  });

  it("negotiates permessage-deflate when enabled and still delivers every packet", async () => {
    const { client, session } = await connectWs({ perMessageDeflate: true });
    expect(client.ws.extensions).toContain("permessage-deflate");
    session.send("a".repeat(5000));
    session.send(Buffer.alloc(2000, 7));
    expect(await client.next()).toBe(`4${"a".repeat(5000)}`);
    expect((await client.next()).length).toBe(2000);
  });

  it("calls write callbacks and emits drain once frames are written", async () => {
    const { session } = await connectWs();
    const drained = waitForEvent(session, "drain");
    await new Promise<void>((resolve) => session.write("x", { compress: false }, () => resolve()));
    await drained;
  });

  it("closes the WebSocket on session.close() with reason forced close", async () => {
    const { client, session } = await connectWs();
    const closed = waitForEvent<[EngineCloseReason]>(session, "close");
    session.close();
    expect((await closed)[0]).toBe("forced close");
    await client.closed();
    expect(harness?.engine.clientsCount).toBe(0);
  });

  it("emits packet, packetCreate and flush events on the session", async () => {
    const { client, session } = await connectWs();
    const created = waitForEvent<[{ type: string; data?: unknown }]>(session, "packetCreate");
    const flushed = waitForEvent<[{ type: string }[]]>(session, "flush");
    session.send("out");
    expect((await created)[0]).toMatchObject({ type: "message", data: "out" });
    expect((await flushed)[0].map((packet) => packet.type)).toEqual(["message"]);
    const received = waitForEvent<[{ type: string; data?: unknown }]>(session, "packet");
    client.ws.send("4in");
    expect((await received)[0]).toMatchObject({ type: "message", data: "in" });
  });

  it("sends buffered packets before a graceful close", async () => {
    const { client, session } = await connectWs();
    session.send("bye");
    session.close();
    expect(await client.next()).toBe("4bye");
    await client.closed();
  });

  it("answers a plain GET carrying a websocket session's sid with 400 code 3", async () => {
    const { session } = await connectWs();
    if (harness === undefined) throw new Error("no engine");
    const response = await rawRequest(harness.port, {
      path: harness.path({ EIO: "4", transport: "websocket", sid: session.id }),
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ code: 3, message: "Bad request" });
  });
});
