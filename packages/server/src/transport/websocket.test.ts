import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { EngineServer } from "../engine/server.js";
import type { EngineSession } from "../engine/session.js";
import { EngineWebSocket } from "./websocket.js";

let http: HttpServer | undefined;
let client: WebSocket | undefined;

afterEach(async () => {
  client?.terminate();
  client = undefined;
  const server = http;
  http = undefined;
  if (server !== undefined) await new Promise((resolve) => server.close(resolve));
});

async function connect(): Promise<{ ws: WebSocket; session: EngineSession }> {
  // The `ws` path (the built-in engine has its own tests in websocket-native/).
  const engine = new EngineServer({ wsEngine: WebSocketServer });
  const server = createServer();
  http = server;
  engine.attach(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const connection = new Promise<EngineSession>((resolve) => engine.once("connection", resolve));
  const ws = new WebSocket(`ws://127.0.0.1:${port}/engine.io/?EIO=4&transport=websocket`);
  client = ws;
  const open = new Promise<string>((resolve) =>
    ws.once("message", (data) => resolve(String(data))),
  );
  const session = await connection;
  expect((await open).startsWith("0{")).toBe(true);
  return { ws, session };
}

/** A server-side EngineWebSocket with no socket, reporting OPEN. */
function openEngineWebSocket(): EngineWebSocket {
  const ws = new EngineWebSocket(null, undefined, { autoPong: false });
  Object.defineProperty(ws, "readyState", { value: WebSocket.OPEN });
  return ws;
}

describe("EngineWebSocket", () => {
  it("answers a WebSocket ping with a pong carrying its data (ws's autoPong is off)", async () => {
    const { ws } = await connect();
    const pong = new Promise<Buffer>((resolve) => ws.once("pong", resolve));
    ws.ping(Buffer.from("are you there"));
    expect(String(await pong)).toBe("are you there");
  });

  it("routes messages and the close to the session with no listener on the WebSocket", async () => {
    const { ws, session } = await connect();
    const message = new Promise<unknown>((resolve) => session.once("message", resolve));
    ws.send("4hello");
    expect(await message).toBe("hello");
    const closed = new Promise<unknown>((resolve) => session.once("close", resolve));
    ws.close();
    expect(await closed).toBe("transport close");
  });

  it("terminates a peer with 60 pongs unsent, as ws's autoPong does", () => {
    const ws = openEngineWebSocket();
    const pong = vi.spyOn(ws, "pong").mockImplementation(() => {});
    const terminate = vi.spyOn(ws, "terminate").mockImplementation(() => {});
    for (let i = 0; i < 60; i++) ws.emit("ping", Buffer.alloc(0));
    expect(pong).toHaveBeenCalledTimes(60);
    expect(terminate).not.toHaveBeenCalled();
    ws.emit("ping", Buffer.alloc(0));
    expect(terminate).toHaveBeenCalledTimes(1);
  });

  it("counts a pong as sent once ws calls it back", () => {
    const ws = openEngineWebSocket();
    const pong = vi
      .spyOn(ws, "pong")
      .mockImplementation((_data, _mask, callback) => callback?.(undefined as never));
    const terminate = vi.spyOn(ws, "terminate").mockImplementation(() => {});
    for (let i = 0; i < 100; i++) ws.emit("ping", Buffer.alloc(0));
    expect(pong).toHaveBeenCalledTimes(100);
    expect(terminate).not.toHaveBeenCalled();
  });

  it("still delivers events to listeners added to it, and swallows an unlistened error", () => {
    const ws = openEngineWebSocket();
    vi.spyOn(ws, "pong").mockImplementation(() => {});
    const pings: unknown[] = [];
    ws.on("ping", (data) => pings.push(data));
    ws.emit("ping", Buffer.from("x"));
    expect(pings).toHaveLength(1);
    expect(() => ws.emit("error", new Error("boom"))).not.toThrow();
  });
});
