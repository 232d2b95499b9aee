// The lean Node WebSocket client (packages/client/src/node/ws-client.ts) against a real `ws`
// WebSocketServer: text and binary both ways, 16- and 64-bit lengths, fragmented messages,
// ping/pong, the closing handshake from either side, headers and sub-protocols, TLS.
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { nodePlatform } from "../../packages/client/src/node/platform.js";
import { NodeWebSocket } from "../../packages/client/src/node/websocket.js";
import { LeanWebSocket } from "../../packages/client/src/node/ws-client.js";
import { closeServer, record } from "./node-ws-helpers.js";
import { CERT, KEY } from "./test-certificate.js";

let wss: WebSocketServer | undefined;
let https: HttpsServer | undefined;

afterEach(async () => {
  const current = wss;
  wss = undefined;
  if (current !== undefined) {
    for (const client of current.clients) client.terminate();
    await new Promise((resolve) => current.close(resolve));
  }
  await closeServer(https);
  https = undefined;
});

/** A `ws` server on a free loopback port; `onConnection` gets each server-side socket. */
async function serve(
  onConnection: (socket: WebSocket, headers: Record<string, unknown>) => void,
  options: Record<string, unknown> = {},
): Promise<string> {
  const server = new WebSocketServer({ port: 0, host: "127.0.0.1", ...options });
  wss = server;
  server.on("connection", (socket, req) => onConnection(socket, req.headers));
  await new Promise<void>((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`;
}

/** A server that echoes every message as it came (text as text, binary as binary). */
const echo = (socket: WebSocket): void => {
  socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
};

describe("LeanWebSocket against a ws server", () => {
  it("opens, round-trips text and binary of 7-, 16- and 64-bit lengths, and closes cleanly", async () => {
    const url = await serve(echo);
    const client = record(url);
    await client.opened;
    expect(client.ws.readyState).toBe(1);
    const big = Buffer.alloc(70_000, 0xab);
    const mid = "é".repeat(200);
    client.ws.send("4hello");
    client.ws.send(new Uint8Array([1, 2, 3]));
    client.ws.send(mid);
    client.ws.send(big.buffer.slice(big.byteOffset, big.byteOffset + big.length));
    client.ws.send("x".repeat(65_535));
    const [text, bin, midText, bigBin, edge] = await client.received(5);
    expect(text).toBe("4hello");
    expect(Buffer.isBuffer(bin)).toBe(true);
    expect([...(bin as Buffer)]).toEqual([1, 2, 3]);
    expect(midText).toBe(mid);
    expect((bigBin as Buffer).equals(big)).toBe(true);
    expect(edge).toBe("x".repeat(65_535));
    client.ws.close();
    expect(client.ws.readyState).toBe(2);
    const closed = await client.closed;
    expect(closed).toMatchObject({ code: 1005, reason: "", wasClean: true });
    expect(client.ws.readyState).toBe(3);
  });

  it("sends Blobs in order with the other messages", async () => {
    const url = await serve(echo);
    const client = record(url);
    await client.opened;
    client.ws.send("a");
    client.ws.send(new Blob([new Uint8Array([9, 8])]));
    client.ws.send("b");
    const [a, blob, b] = await client.received(3);
    expect([a, [...(blob as Buffer)], b]).toEqual(["a", [9, 8], "b"]);
  });

  it("assembles fragmented text and binary messages, with a ping between fragments", async () => {
    const url = await serve((socket) => {
      socket.send("frag", { fin: false });
      socket.ping("between");
      socket.send("mented é", { fin: true });
      socket.send(Buffer.from([1, 2]), { binary: true, fin: false });
      socket.send(Buffer.from([3]), { binary: true, fin: false });
      socket.send(Buffer.from([4]), { binary: true, fin: true });
    });
    const client = record(url);
    const [text, bin] = await client.received(2);
    expect(text).toBe("fragmented é");
    expect([...(bin as Buffer)]).toEqual([1, 2, 3, 4]);
  });

  it("answers a ping with a pong of the same payload", async () => {
    let pong: Promise<Buffer> | undefined;
    const url = await serve((socket) => {
      pong = new Promise((resolve) => socket.once("pong", resolve));
      socket.ping("are you there");
    });
    const client = record(url);
    await client.opened;
    await expect.poll(() => pong).toBeDefined();
    expect((await pong)?.toString()).toBe("are you there");
  });

  it("reports the server's close code and reason, and echoes the close frame", async () => {
    let serverClose: Promise<[number, string]> | undefined;
    const url = await serve((socket) => {
      serverClose = new Promise((resolve) =>
        socket.once("close", (code, reason) => resolve([code, reason.toString()])),
      );
      socket.close(4001, "bye ✓");
    });
    const client = record(url);
    const closed = await client.closed;
    expect(closed).toMatchObject({ code: 4001, reason: "bye ✓", wasClean: true });
    expect(await serverClose).toEqual([4001, "bye ✓"]);
  });

  it("sends close(code, reason) to the server and validates them", async () => {
    let serverClose: Promise<[number, string]> | undefined;
    const url = await serve((socket) => {
      serverClose = new Promise((resolve) =>
        socket.once("close", (code, reason) => resolve([code, reason.toString()])),
      );
    });
    const client = record(url);
    await client.opened;
    expect(() => client.ws.close(1005)).toThrow(TypeError);
    expect(() => client.ws.close(1000, "x".repeat(124))).toThrow(SyntaxError);
    client.ws.close(3003, "done");
    expect(await serverClose).toEqual([3003, "done"]);
    expect(await client.closed).toMatchObject({ code: 3003, reason: "done", wasClean: true });
    client.ws.send("after close"); // ignored, as with ws
  });

  it("reports 1006 when the server drops the connection", async () => {
    const url = await serve((socket) => socket.terminate());
    const client = record(url);
    expect(await client.closed).toMatchObject({ code: 1006, wasClean: false });
    expect(client.errors).toEqual([]);
  });

  it("sends extra headers and sub-protocols, and takes the server's pick", async () => {
    let seen: Record<string, unknown> = {};
    const url = await serve(
      (_socket, headers) => {
        seen = headers;
      },
      { handleProtocols: (protocols: Set<string>) => (protocols.has("b") ? "b" : false) },
    );
    const client = record(url, { headers: { cookie: "io=1", "x-a": "b" }, protocols: ["a", "b"] });
    await client.opened;
    expect(client.ws.protocol).toBe("b");
    expect(seen["cookie"]).toBe("io=1");
    expect(seen["x-a"]).toBe("b");
    expect(seen["sec-websocket-extensions"]).toBeUndefined();
  });

  it("refuses a message above maxPayload with 1009", async () => {
    let serverClose: Promise<number> | undefined;
    const url = await serve((socket) => {
      serverClose = new Promise((resolve) => socket.once("close", resolve));
      socket.send("x".repeat(101));
    });
    const client = record(url, { maxPayload: 100 });
    expect((await client.closed).code).toBe(1006);
    expect(client.errors[0]?.error).toMatchObject({
      code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
      closeCode: 1009,
    });
    expect(await serverClose).toBe(1009);
  });

  it("closing while connecting fails the handshake", async () => {
    const url = await serve(() => {});
    const client = record(url);
    client.ws.close();
    await expect(client.opened).rejects.toThrow(
      "WebSocket was closed before the connection was established",
    );
    expect((await client.closed).code).toBe(1006);
  });

  it("connects over TLS with the ca option, and fails without it", async () => {
    const server = createHttpsServer({ key: KEY, cert: CERT });
    https = server;
    wss = new WebSocketServer({ server });
    wss.on("connection", echo);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const url = `wss://localhost:${port}/socket.io/?EIO=4`;
    const trusted = record(url, { tls: { ca: CERT } });
    await trusted.opened;
    trusted.ws.send("secure");
    expect(await trusted.received(1)).toEqual(["secure"]);
    trusted.ws.close();
    await trusted.closed;
    const untrusted = record(url);
    await expect(untrusted.opened).rejects.toMatchObject({ code: "DEPTH_ZERO_SELF_SIGNED_CERT" });
    expect((await untrusted.closed).code).toBe(1006);
  });

  it("is what the Node platform opens, unless perMessageDeflate is enabled", async () => {
    let compressed: unknown;
    const url = await serve((_socket, headers) => {
      compressed ??= headers["sec-websocket-extensions"];
    });
    const lean = await nodePlatform.createWebSocket(url, undefined, { extraHeaders: { a: "b" } });
    expect(lean).toBeInstanceOf(LeanWebSocket);
    const off = await nodePlatform.createWebSocket(url, undefined, { perMessageDeflate: false });
    expect(off).toBeInstanceOf(LeanWebSocket);
    const ws = await nodePlatform.createWebSocket(url, undefined, { perMessageDeflate: true });
    expect(ws).toBeInstanceOf(NodeWebSocket);
    await new Promise<void>((resolve) => {
      ws.onopen = () => resolve();
    });
    expect(compressed).toContain("permessage-deflate");
    for (const socket of [lean, off, ws]) {
      socket.onerror = () => {};
      socket.close();
    }
  });
});
