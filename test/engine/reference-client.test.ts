// The official engine.io-client 6.6 as a reference peer: polling, websocket-only and
// polling → websocket, exchanging text and binary with our engine.
import { Socket as ClientSocket, type SocketOptions } from "engine.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { type EngineHarness, engineStarter, waitForEvent } from "./support/engine-harness.js";

const startEngine = engineStarter();
let client: ClientSocket | undefined;

afterEach(() => {
  client?.close();
  client = undefined;
});

function toBytes(data: unknown): number[] {
  if (Buffer.isBuffer(data) || data instanceof Uint8Array) return [...data];
  if (data instanceof ArrayBuffer) return [...new Uint8Array(data)];
  throw new Error(`not binary: ${typeof data}`);
}

async function echoEngine(): Promise<EngineHarness> {
  const started = await startEngine({ pingInterval: 300, pingTimeout: 200 });
  started.engine.on("connection", (session) => {
    session.on("message", (data) => session.send(data));
  });
  return started;
}

function connect(harness: EngineHarness, options: Partial<SocketOptions>): ClientSocket {
  return new ClientSocket(`http://127.0.0.1:${harness.port}`, options);
}

async function exchange(socket: ClientSocket): Promise<void> {
  const text = waitForEvent<[unknown]>(socket, "message");
  socket.send("hello");
  expect((await text)[0]).toBe("hello");
  const binary = waitForEvent<[unknown]>(socket, "message");
  socket.send(new Uint8Array([1, 2, 3, 250]));
  expect(toBytes((await binary)[0])).toEqual([1, 2, 3, 250]);
}

describe("official engine.io-client 6.6", () => {
  it("connects over polling only and exchanges text and binary", async () => {
    const harness = await echoEngine();
    client = connect(harness, { transports: ["polling"] });
    await waitForEvent(client, "open");
    expect(client.transport.name).toBe("polling");
    await exchange(client);
  });

  it("connects over websocket only and exchanges text and binary", async () => {
    const harness = await echoEngine();
    client = connect(harness, { transports: ["websocket"] });
    await waitForEvent(client, "open");
    expect(client.transport.name).toBe("websocket");
    await exchange(client);
  });

  it("upgrades from polling to websocket and keeps exchanging", async () => {
    const harness = await echoEngine();
    const upgraded = new Promise<void>((resolve) => {
      harness.engine.on("connection", (session) => session.once("upgrade", () => resolve()));
    });
    client = connect(harness, { transports: ["polling", "websocket"] });
    await waitForEvent(client, "upgrade");
    await upgraded;
    expect(client.transport.name).toBe("websocket");
    await exchange(client);
  });

  it("survives several heartbeats and sees a server close as transport close", async () => {
    const harness = await echoEngine();
    client = connect(harness, { transports: ["websocket"] });
    await waitForEvent(client, "open");
    for (let i = 0; i < 3; i++) await waitForEvent(client, "ping");
    const closed = waitForEvent<[string]>(client, "close");
    for (const session of Object.values(harness.engine.clients)) session.close();
    expect((await closed)[0]).toBe("transport close");
  });

  it("gets a connect error for a refused handshake", async () => {
    const harness = await startEngine({
      allowRequest: (_req, callback) => callback("nope", false),
    });
    client = connect(harness, { transports: ["polling"] });
    const [error] = await waitForEvent<[Error]>(client, "error");
    expect(error).toBeInstanceOf(Error);
  });
});
