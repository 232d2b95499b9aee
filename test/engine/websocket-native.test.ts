// The built-in WebSocket engine through the whole engine, case by case (RFC 6455): the opening
// handshake and its refusals (the same answers as the official engine on `ws`), every opcode,
// reserved bits, masking, control frames (oversize, inside a fragmented message), UTF-8 split
// across fragments, the limits (maxHttpBufferSize, fragments), the closing handshake both ways,
// and which connections go to `ws` instead (permessage-deflate, `wsEngine`).
import type { EngineSession } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { anyEngineStarter, ENGINE_KINDS } from "./support/any-engine.js";
import { engineStarter, waitForEvent } from "./support/engine-harness.js";
import {
  closeCodeOf,
  parseServerFrames,
  type RawWebSocket,
  rawUpgrade,
  upgradeHeaders,
} from "./support/raw-ws-client.js";
import { encodeClientFrame } from "./support/ws-client-frames.js";

const startEngine = engineStarter();
const startAnyEngine = anyEngineStarter();

const WS_PATH = "/engine.io/?EIO=4&transport=websocket";

/** An engine, a raw connection to it and its session (the open packet read). */
async function connect(options: Parameters<typeof startEngine>[0] = {}, extra = {}) {
  const harness = await startEngine(options);
  const connection = waitForEvent<[EngineSession]>(harness.engine, "connection");
  const client = await rawUpgrade(harness.port, WS_PATH, upgradeHeaders(extra));
  const [session] = await connection;
  await until(() => parseServerFrames(client.received()).length > 0);
  return { harness, client, session };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
}

/** The frames the server sent after the open packet, once it closed the connection. */
async function framesAfterOpen(client: RawWebSocket) {
  return parseServerFrames(await client.closed()).slice(1);
}

/** Sends `bytes`; expects the session to close with `reason` and a close frame with `code`. */
async function expectFailure(bytes: Buffer, code: number, reason = "transport error") {
  const { client, session } = await connect({ maxHttpBufferSize: 1000 });
  const closed = waitForEvent<[string, unknown]>(session, "close");
  client.socket.write(bytes);
  expect((await closed)[0]).toBe(reason);
  const frames = await framesAfterOpen(client);
  expect(frames.map((frame) => frame.opcode)).toEqual([0x8]);
  expect(closeCodeOf(frames[0])).toBe(code);
}

describe("the built-in WebSocket engine: opening handshake", () => {
  it("answers 101 with the RFC 6455 accept value, the first sub-protocol and the engine's headers", async () => {
    const harness = await startEngine();
    harness.engine.on("headers", (headers) => {
      headers["X-Test"] = "yes";
    });
    const client = await rawUpgrade(
      harness.port,
      WS_PATH,
      upgradeHeaders({ "Sec-WebSocket-Protocol": "chat, superchat" }),
    );
    expect(client.status).toBe(101);
    // RFC 6455 §1.3's own example.
    expect(client.headers["sec-websocket-accept"]).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    expect(client.headers["sec-websocket-protocol"]).toBe("chat");
    expect(client.headers["x-test"]).toBe("yes");
    expect(client.headers["sec-websocket-extensions"]).toBeUndefined();
    await until(() => parseServerFrames(client.received()).length > 0);
    const [open] = parseServerFrames(client.received());
    expect(open?.payload.toString().startsWith('0{"sid":')).toBe(true);
  });

  it("reads frames that came in the same packet as the upgrade request", async () => {
    const harness = await startEngine();
    // Listened to at once: the bytes are read as soon as the transport opens.
    const message = new Promise<unknown>((resolve) => {
      harness.engine.once("connection", (session: EngineSession) =>
        session.once("message", resolve),
      );
    });
    const head = encodeClientFrame({ opcode: 0x1, payload: Buffer.from("4early") });
    await rawUpgrade(harness.port, WS_PATH, upgradeHeaders(), { head });
    expect(await message).toBe("early");
  });

  const refusals: Array<[string, Record<string, string>]> = [
    ["a bad key", { "Sec-WebSocket-Key": "short" }],
    ["no version", { "Sec-WebSocket-Version": "" }],
    ["version 12", { "Sec-WebSocket-Version": "12" }],
    ["a malformed protocol list", { "Sec-WebSocket-Protocol": "a,,b" }],
    ["a duplicate protocol", { "Sec-WebSocket-Protocol": "a, a" }],
  ];
  describe.each(ENGINE_KINDS)("refusals (%s)", (kind) => {
    it.each(refusals)("refuses %s with ws's answer", async (_name, headers) => {
      const harness = await startAnyEngine(kind);
      const client = await rawUpgrade(harness.port, WS_PATH, upgradeHeaders(headers));
      const body = (await client.closed()).toString();
      const expected: Record<string, [number, string]> = {
        "Sec-WebSocket-Key": [400, "Missing or invalid Sec-WebSocket-Key header"],
        "Sec-WebSocket-Version": [400, "Missing or invalid Sec-WebSocket-Version header"],
        "Sec-WebSocket-Protocol": [400, "Invalid Sec-WebSocket-Protocol header"],
      };
      const [status, message] = expected[Object.keys(headers)[0] as string] ?? [0, ""];
      expect([client.status, body]).toEqual([status, message]);
      if (message.includes("Version"))
        expect(client.headers["sec-websocket-version"]).toBe("13, 8");
    });
  });
});

describe("the built-in WebSocket engine: frames (RFC 6455 §5)", () => {
  it.each([3, 4, 5, 6, 7, 11, 12, 13, 14, 15])(
    "fails the connection on opcode %i (1002)",
    async (op) => {
      await expectFailure(encodeClientFrame({ opcode: op, payload: Buffer.from("x") }), 1002);
    },
  );

  it.each([0x4, 0x2, 0x1])("fails the connection on RSV bits %i (1002)", async (rsv) => {
    await expectFailure(encodeClientFrame({ opcode: 1, rsv, payload: Buffer.from("4x") }), 1002);
  });

  it("fails the connection on an unmasked frame (1002)", async () => {
    await expectFailure(
      encodeClientFrame({ opcode: 1, masked: false, payload: Buffer.from("4x") }),
      1002,
    );
  });

  it("fails the connection on a continuation without a message, and a message inside one", async () => {
    await expectFailure(encodeClientFrame({ opcode: 0, payload: Buffer.from("4x") }), 1002);
    const first = encodeClientFrame({ opcode: 1, fin: false, payload: Buffer.from("4") });
    await expectFailure(
      Buffer.concat([first, encodeClientFrame({ opcode: 1, payload: Buffer.from("x") })]),
      1002,
    );
  });

  it("fails the connection on control frames over 125 bytes or without FIN (1002)", async () => {
    await expectFailure(encodeClientFrame({ opcode: 0x9, payload: Buffer.alloc(126) }), 1002);
    await expectFailure(
      encodeClientFrame({ opcode: 0x9, fin: false, payload: Buffer.alloc(1) }),
      1002,
    );
    await expectFailure(encodeClientFrame({ opcode: 0x8, payload: Buffer.alloc(1) }), 1002);
  });

  it("answers a ping inside a fragmented message and joins UTF-8 split across fragments", async () => {
    const { client, session } = await connect();
    const message = waitForEvent<[string]>(session, "message");
    const text = Buffer.from("4héllo");
    const cut = text.indexOf(0xc3) + 1;
    client.socket.write(
      Buffer.concat([
        encodeClientFrame({ opcode: 1, fin: false, payload: text.subarray(0, cut) }),
        encodeClientFrame({ opcode: 9, payload: Buffer.from("ping!") }),
        encodeClientFrame({ opcode: 0, payload: text.subarray(cut) }),
      ]),
    );
    expect((await message)[0]).toBe("héllo");
    const pong = () => parseServerFrames(client.received()).find((frame) => frame.opcode === 0xa);
    await until(() => pong() !== undefined);
    expect(pong()?.payload.toString()).toBe("ping!");
  });

  it("fails the connection on invalid UTF-8 across fragments (1007), and in a close reason", async () => {
    await expectFailure(
      Buffer.concat([
        encodeClientFrame({ opcode: 1, fin: false, payload: Buffer.from([0x34, 0xc3]) }),
        encodeClientFrame({ opcode: 0, payload: Buffer.from([0x28]) }),
      ]),
      1007,
    );
    await expectFailure(
      encodeClientFrame({ opcode: 8, payload: Buffer.from([0x03, 0xe8, 0xff]) }),
      1007,
    );
  });

  it("fails the connection past maxHttpBufferSize over a message's fragments (1009)", async () => {
    const half = Buffer.alloc(600, 0x61);
    half[0] = 0x34;
    await expectFailure(
      Buffer.concat([
        encodeClientFrame({ opcode: 1, fin: false, payload: half }),
        encodeClientFrame({ opcode: 0, payload: Buffer.alloc(600, 0x61) }),
      ]),
      1009,
    );
  });

  it("fails the connection on a 64-bit length above 2^53 - 1 (1009)", async () => {
    await expectFailure(
      encodeClientFrame({ opcode: 2, lengthForm: "huge", payload: Buffer.alloc(0) }),
      1009,
    );
  });

  it("fails the connection past 16,384 fragments in one message (1008)", async () => {
    const frames = [encodeClientFrame({ opcode: 1, fin: false, payload: Buffer.from("4") })];
    const empty = encodeClientFrame({ opcode: 0, fin: false, payload: Buffer.alloc(0) });
    for (let i = 0; i < 16 * 1024; i++) frames.push(empty);
    await expectFailure(Buffer.concat(frames), 1008);
  });
});

describe("the built-in WebSocket engine: closing handshake (RFC 6455 §7)", () => {
  it("echoes the client's close code and reason, then ends the connection", async () => {
    const { client, session } = await connect();
    const closed = waitForEvent<[string]>(session, "close");
    client.send(0x8, Buffer.concat([Buffer.from([0x0f, 0xa0]), Buffer.from("bye")]));
    const frames = await framesAfterOpen(client);
    expect(frames.map((frame) => [frame.opcode, frame.payload.toString("hex")])).toEqual([
      [0x8, Buffer.concat([Buffer.from([0x0f, 0xa0]), Buffer.from("bye")]).toString("hex")],
    ]);
    expect((await closed)[0]).toBe("transport close");
  });

  it("echoes an empty close frame with an empty one", async () => {
    const { client } = await connect();
    client.send(0x8, Buffer.alloc(0));
    const frames = await framesAfterOpen(client);
    expect(frames.map((frame) => [frame.opcode, frame.payload.length])).toEqual([[0x8, 0]]);
  });

  it("fails the connection on a close code a peer may not send (1002)", async () => {
    for (const code of [999, 1004, 1005, 1006, 1015, 2999, 5000]) {
      await expectFailure(
        encodeClientFrame({ opcode: 8, payload: Buffer.from([code >> 8, code & 0xff]) }),
        1002,
      );
    }
  });

  it("sends an empty close frame on session.close() and ends the connection after the client's", async () => {
    const { client, session } = await connect();
    session.close();
    await until(() => parseServerFrames(client.received()).some((frame) => frame.opcode === 0x8));
    expect(client.socket.readableEnded).toBe(false);
    client.send(0x8, Buffer.alloc(0));
    const frames = await framesAfterOpen(client);
    expect(frames.map((frame) => [frame.opcode, frame.payload.length])).toEqual([[0x8, 0]]);
  });

  it("closes the session with transport close when the client ends TCP without a close frame", async () => {
    const { client, session } = await connect();
    const closed = waitForEvent<[string]>(session, "close");
    client.socket.end();
    expect((await closed)[0]).toBe("transport close");
    await client.closed();
  });
});

describe("the built-in WebSocket engine: which connections go to ws", () => {
  const deflate = { "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits" };

  it("serves a client offering permessage-deflate with ws when perMessageDeflate is on", async () => {
    const { client } = await connect({ perMessageDeflate: true }, deflate);
    expect(client.headers["sec-websocket-extensions"]).toMatch(/^permessage-deflate/);
  });

  it("negotiates no extension when perMessageDeflate is off (the default), nor without an offer", async () => {
    const off = await connect({}, deflate);
    expect(off.client.headers["sec-websocket-extensions"]).toBeUndefined();
    expect(off.session.transport.constructor.name).toBe("NativeWebSocketTransport");
    const noOffer = await connect({ perMessageDeflate: true });
    expect(noOffer.client.headers["sec-websocket-extensions"]).toBeUndefined();
    expect(noOffer.session.transport.constructor.name).toBe("NativeWebSocketTransport");
  });

  it("uses ws for every connection with wsEngine: WebSocketServer", async () => {
    const { session } = await connect({ wsEngine: WebSocketServer });
    expect(session.transport.constructor.name).toBe("WebSocketTransport");
  });
});
