// The lean Node WebSocket client (packages/client/src/node/ws-client.ts) against a raw upgrade
// server that writes bytes `ws` would never send: frames split one byte per write, many frames in
// one write, frames after the 101 in the same packet, protocol errors (masked server frames, RSV
// bits, invalid UTF-8, bad opcodes and close codes) and failed handshakes.
import type { Server } from "node:http";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { serverFrame } from "../../bench/lib/ws-frame.js";
import { clientFrames, closeServer, rawServer, record, switching } from "./node-ws-helpers.js";

const TEXT = 0x1;
const BINARY = 0x2;
const CONTINUATION = 0x0;
const CLOSE = 0x8;
const PING = 0x9;

let server: Server | undefined;

afterEach(async () => {
  await closeServer(server);
  server = undefined;
});

/** A server that answers 101 and writes `bytes`; resolves the client's frames once it closes. */
async function replay(bytes: Buffer, oneByteAtATime = false) {
  let received: Promise<Buffer> | undefined;
  const started = await rawServer((_req, socket, accept) => {
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      // Like a WebSocket server: a close frame from the client ends the connection.
      if (clientFrames(Buffer.concat(chunks)).some(([op]) => op === CLOSE)) socket.end();
    });
    received = new Promise((resolve) => socket.on("close", () => resolve(Buffer.concat(chunks))));
    socket.on("error", () => {});
    void writeAll(socket, accept, bytes, oneByteAtATime);
  });
  server = started.server;
  return { url: started.url, clientBytes: () => received ?? Promise.resolve(Buffer.alloc(0)) };
}

async function writeAll(socket: Socket, accept: string, bytes: Buffer, oneByte: boolean) {
  if (!oneByte) {
    socket.write(Buffer.concat([Buffer.from(switching(accept)), bytes]));
    return;
  }
  socket.setNoDelay(true);
  socket.write(switching(accept));
  for (let i = 0; i < bytes.length && !socket.destroyed; i++) {
    socket.write(bytes.subarray(i, i + 1));
    await sleep(0);
  }
}

const closeFrame = (code: number, reason = ""): Buffer => {
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2);
  return serverFrame(CLOSE, payload);
};

describe("LeanWebSocket frame parsing", () => {
  const frames = Buffer.concat([
    serverFrame(TEXT, Buffer.from("short é")),
    serverFrame(TEXT, Buffer.from("m".repeat(300))),
    serverFrame(BINARY, Buffer.alloc(70_000, 7)),
    serverFrame(TEXT, Buffer.from("fr"), false),
    serverFrame(PING, Buffer.from("p")),
    serverFrame(CONTINUATION, Buffer.from("ag"), true),
    serverFrame(BINARY, Buffer.alloc(0)),
    closeFrame(1000, "end"),
  ]);

  const check = (messages: unknown[]): void => {
    expect(messages[0]).toBe("short é");
    expect(messages[1]).toBe("m".repeat(300));
    expect((messages[2] as Buffer).equals(Buffer.alloc(70_000, 7))).toBe(true);
    expect(messages[3]).toBe("frag");
    expect((messages[4] as Buffer).length).toBe(0);
  };

  it("parses many frames written after the 101 in one packet", async () => {
    const { url, clientBytes } = await replay(frames);
    const client = record(url);
    expect(await client.closed).toMatchObject({ code: 1000, reason: "end" });
    check(client.messages);
    const sent = clientFrames(await clientBytes());
    expect(sent.map(([op, payload]) => [op, payload.toString("latin1")])).toEqual([
      [0xa, "p"],
      [CLOSE, "\x03\xe8end"],
    ]);
  });

  it("parses the same frames fed one byte at a time", async () => {
    const small = Buffer.concat([
      serverFrame(TEXT, Buffer.from("short é")),
      serverFrame(TEXT, Buffer.from("m".repeat(300))),
      serverFrame(BINARY, Buffer.alloc(70_000, 7)).subarray(0, 20),
    ]);
    const { url } = await replay(small, true);
    const client = record(url);
    await client.received(2);
    expect(client.messages).toEqual(["short é", "m".repeat(300)]);
    client.ws.close();
  });

  it("parses a 64-bit length frame and a fragmented message split one byte at a time", async () => {
    const big = Buffer.alloc(66_000, 3);
    const bytes = Buffer.concat([
      serverFrame(TEXT, Buffer.from("fr"), false),
      serverFrame(CONTINUATION, Buffer.from("ag"), true),
      serverFrame(BINARY, big),
    ]);
    // One byte at a time for the first 40 bytes, then the rest in ~1 KB writes.
    const started = await rawServer((_req, socket, accept) => {
      socket.on("error", () => {});
      socket.write(switching(accept));
      void (async () => {
        for (let i = 0; i < bytes.length && !socket.destroyed; ) {
          const step = i < 40 ? 1 : 1000;
          socket.write(bytes.subarray(i, i + step));
          i += step;
          await sleep(0);
        }
      })();
    });
    server = started.server;
    const client = record(started.url);
    const [text, bin] = await client.received(2);
    expect(text).toBe("frag");
    expect((bin as Buffer).equals(big)).toBe(true);
    client.ws.close();
  });
});

describe("LeanWebSocket protocol errors", () => {
  const cases: Array<[string, Buffer, string, number]> = [
    [
      "invalid UTF-8 in a text frame",
      serverFrame(TEXT, Buffer.from([0x61, 0xff, 0xfe])),
      "WS_ERR_INVALID_UTF8",
      1007,
    ],
    [
      "invalid UTF-8 across fragments",
      Buffer.concat([
        serverFrame(TEXT, Buffer.from([0xe2, 0x82]), false),
        serverFrame(CONTINUATION, Buffer.from([0x41])),
      ]),
      "WS_ERR_INVALID_UTF8",
      1007,
    ],
    [
      "a masked server frame",
      Buffer.from([0x81, 0x82, 1, 2, 3, 4, 0x60, 0x60]),
      "WS_ERR_UNEXPECTED_MASK",
      1002,
    ],
    [
      "RSV1 without an extension",
      serverFrame(TEXT, Buffer.from("x"), true, 0x40),
      "WS_ERR_UNEXPECTED_RSV_1",
      1002,
    ],
    ["RSV2", serverFrame(TEXT, Buffer.from("x"), true, 0x20), "WS_ERR_UNEXPECTED_RSV_2_3", 1002],
    ["an unknown opcode", serverFrame(0x3, Buffer.from("x")), "WS_ERR_INVALID_OPCODE", 1002],
    [
      "a continuation with no message",
      serverFrame(CONTINUATION, Buffer.from("x")),
      "WS_ERR_INVALID_OPCODE",
      1002,
    ],
    [
      "a new message inside a fragmented one",
      Buffer.concat([
        serverFrame(TEXT, Buffer.from("a"), false),
        serverFrame(TEXT, Buffer.from("b")),
      ]),
      "WS_ERR_INVALID_OPCODE",
      1002,
    ],
    ["a fragmented ping", serverFrame(PING, Buffer.from("x"), false), "WS_ERR_EXPECTED_FIN", 1002],
    [
      "a ping over 125 bytes",
      serverFrame(PING, Buffer.alloc(126)),
      "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH",
      1002,
    ],
    ["a close code that may not be sent", closeFrame(1006), "WS_ERR_INVALID_CLOSE_CODE", 1002],
    [
      "a close reason that is not UTF-8",
      Buffer.concat([serverFrame(CLOSE, Buffer.from([0x03, 0xe8, 0xff]))]),
      "WS_ERR_INVALID_UTF8",
      1007,
    ],
  ];

  it.each(cases)("fails on %s", async (_name, bytes, code, closeCode) => {
    const { url, clientBytes } = await replay(
      Buffer.concat([bytes, serverFrame(TEXT, Buffer.from("after"))]),
    );
    const client = record(url);
    const closed = await client.closed;
    expect(client.errors).toHaveLength(1);
    expect(client.errors[0]?.error).toMatchObject({
      name: "WebSocketProtocolError",
      code,
      closeCode,
    });
    expect(client.messages).toEqual([]);
    expect(closed.wasClean).toBe(false);
    // The client sent a close frame with the status, and the server ended the connection.
    const sent = clientFrames(await clientBytes());
    expect(sent).toHaveLength(1);
    expect(sent[0]?.[0]).toBe(CLOSE);
    expect(sent[0]?.[1].readUInt16BE(0)).toBe(closeCode);
  });
});

describe("LeanWebSocket handshake failures", () => {
  const answers: Array<[string, (accept: string) => string, string]> = [
    [
      "a 400",
      () => "HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad",
      "Unexpected server response: 400",
    ],
    [
      "a bad Sec-WebSocket-Accept",
      () => switching("AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
      "Invalid Sec-WebSocket-Accept header",
    ],
    [
      "an Upgrade header other than websocket",
      (accept) =>
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      "Invalid Upgrade header",
    ],
    [
      "an unrequested extension",
      (accept) =>
        switching(accept).replace(
          "\r\n\r\n",
          "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
        ),
      "Server sent a Sec-WebSocket-Extensions header but no extension was requested",
    ],
    [
      "an unrequested sub-protocol",
      (accept) => switching(accept).replace("\r\n\r\n", "\r\nSec-WebSocket-Protocol: chat\r\n\r\n"),
      "Server sent a subprotocol but none was requested",
    ],
  ];

  it.each(answers)("reports an error and a 1006 close on %s", async (_name, answer, message) => {
    const started = await rawServer((req, socket, accept) => {
      expect(req.headers["sec-websocket-version"]).toBe("13");
      expect(Buffer.from(req.headers["sec-websocket-key"] ?? "", "base64")).toHaveLength(16);
      socket.on("error", () => {});
      socket.write(answer(accept));
    });
    server = started.server;
    const client = record(started.url);
    await expect(client.opened).rejects.toThrow(message);
    expect(client.errors[0]?.message).toBe(message);
    expect(await client.closed).toMatchObject({ code: 1006, wasClean: false });
    expect(client.ws.readyState).toBe(3);
    expect(() => client.ws.send("x")).not.toThrow();
  });

  it("reports a refused connection as an error and a 1006 close", async () => {
    const started = await rawServer(() => {});
    const url = started.url;
    await closeServer(started.server);
    const client = record(url);
    await expect(client.opened).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect((await client.closed).code).toBe(1006);
  });

  it("throws synchronously on a URL that is not ws: or wss:", () => {
    expect(() => record("http://127.0.0.1:1/")).toThrow(SyntaxError);
  });
});
