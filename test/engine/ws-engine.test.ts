// The `wsEngine` option (engine.io's): the WebSocket server class is swappable. The same class is
// given to our engine and to the official one; its sockets are not `ws` WebSockets, so every
// packet must go through the class's own `send()`.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  EngineServer,
  type EngineSession,
  InvalidArgumentError,
  type WsEngine,
  type WsEngineOptions,
  type WsEngineServer,
  type WsEngineSocket,
} from "@switchyard/server";
import { describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { anyEngineStarter, ENGINE_KINDS } from "./support/any-engine.js";
import {
  type EngineHarness,
  handshake,
  openWebSocket,
  waitForEvent,
} from "./support/engine-harness.js";

/** A socket of another class: forwards to a `ws` WebSocket it is not. Counts its sends. */
class ForwardingSocket implements WsEngineSocket {
  readonly #inner: WebSocket;
  readonly #sends: { count: number };

  constructor(inner: WebSocket, sends: { count: number }) {
    this.#inner = inner;
    this.#sends = sends;
  }

  get readyState(): number {
    return this.#inner.readyState;
  }

  get bufferedAmount(): number {
    return this.#inner.bufferedAmount;
  }

  on(event: "message" | "error", listener: (...args: never[]) => void): this {
    this.#inner.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once(event: "close", listener: () => void): this {
    this.#inner.once(event, listener);
    return this;
  }

  /** Not used by our engine; the official one removes its listeners at an upgrade. */
  removeListener(event: string, listener: (...args: never[]) => void): this {
    this.#inner.removeListener(event, listener as (...args: unknown[]) => void);
    return this;
  }

  send(
    data: string | Buffer,
    options: { compress: boolean; binary: boolean },
    callback?: (error?: Error) => void,
  ): void {
    this.#sends.count++;
    this.#inner.send(data, options, callback);
  }

  close(): void {
    this.#inner.close();
  }
}

/** A wsEngine class that records how it was built and hands out ForwardingSockets. */
function forwardingEngine(): {
  Engine: WsEngine;
  built: WsEngineOptions[];
  sends: { count: number };
} {
  const built: WsEngineOptions[] = [];
  const sends = { count: 0 };
  class ForwardingEngine implements WsEngineServer {
    readonly #inner: WebSocketServer;

    constructor(options: WsEngineOptions) {
      built.push(options);
      this.#inner = new WebSocketServer(options);
    }

    handleUpgrade(
      req: IncomingMessage,
      socket: Duplex,
      head: Buffer,
      callback: (ws: WsEngineSocket) => void,
    ): void {
      this.#inner.handleUpgrade(req, socket, head, (ws) => {
        callback(new ForwardingSocket(ws, sends));
      });
    }

    on(event: "headers", listener: (lines: string[], req: IncomingMessage) => void): this {
      this.#inner.on(event, listener);
      return this;
    }

    /** The official engine closes its server when it builds a new one (at `listening`). */
    close(): void {
      this.#inner.close();
    }
  }
  return { Engine: ForwardingEngine, built, sends };
}

const startEngine = anyEngineStarter();

async function connectWebSocket(harness: EngineHarness) {
  const connection = waitForEvent<[EngineSession]>(harness.engine, "connection");
  const client = await openWebSocket(harness, {});
  const [session] = await connection;
  expect(String(await client.next()).startsWith("0{")).toBe(true);
  return { client, session };
}

describe.each(ENGINE_KINDS)("wsEngine on the %s engine", (kind) => {
  it("constructs the class with noServer, no client tracking, perMessageDeflate and maxPayload", async () => {
    const { Engine, built } = forwardingEngine();
    await startEngine(kind, {
      wsEngine: Engine,
      maxHttpBufferSize: 5000,
      perMessageDeflate: false,
    });
    // The official engine builds a new one when the HTTP server starts listening.
    expect(built.length).toBeGreaterThan(0);
    for (const options of built) {
      expect(options).toEqual({
        noServer: true,
        clientTracking: false,
        perMessageDeflate: false,
        maxPayload: 5000,
      });
    }
  });

  it("serves a websocket session through the class's sockets, text and binary both ways", async () => {
    const { Engine, sends } = forwardingEngine();
    const harness = await startEngine(kind, { wsEngine: Engine });
    const { client, session } = await connectWebSocket(harness);
    const received: unknown[] = [];
    session.on("message", (data) => {
      received.push(data);
      session.send(data);
    });
    client.ws.send("4hello");
    expect(await client.next()).toBe("4hello");
    client.ws.send(Buffer.from([1, 2, 3]));
    expect([...((await client.next()) as Buffer)]).toEqual([1, 2, 3]);
    expect(received[0]).toBe("hello");
    expect([...(received[1] as Buffer)]).toEqual([1, 2, 3]);
    // The open packet and both echoes went out through the class's send().
    expect(sends.count).toBe(3);
  });

  it("upgrades a polling session onto a socket of the class", async () => {
    const { Engine, sends } = forwardingEngine();
    const harness = await startEngine(kind, { wsEngine: Engine });
    const { open, session } = await handshake(harness);
    expect(open.upgrades).toEqual(["websocket"]);
    const client = await openWebSocket(harness, { sid: open.sid });
    client.ws.send("2probe");
    expect(await client.next()).toBe("3probe");
    const upgrade = waitForEvent(session, "upgrade");
    client.ws.send("5");
    await upgrade;
    session.send("after");
    expect(await client.next()).toBe("4after");
    expect(sends.count).toBe(2);
  });

  it("adds the headers of `headers` listeners to the 101 of the class's handshake", async () => {
    const { Engine } = forwardingEngine();
    const harness = await startEngine(kind, { wsEngine: Engine });
    harness.engine.on("headers", (headers) => {
      headers["x-engine"] = "seen";
    });
    const ws = new WebSocket(
      `ws://127.0.0.1:${harness.port}${harness.path({ EIO: "4", transport: "websocket" })}`,
    );
    ws.on("error", () => {});
    const [response] = await waitForEvent<[IncomingMessage]>(ws, "upgrade");
    expect(response.headers["x-engine"]).toBe("seen");
    ws.close();
  });

  it("reports handlesUpgrades as engine.io does: not on polling, on websocket", async () => {
    const harness = await startEngine(kind);
    const polling = await handshake(harness);
    expect(Boolean(polling.session.transport.handlesUpgrades)).toBe(false);
    const { session } = await connectWebSocket(harness);
    expect(session.transport.handlesUpgrades).toBe(true);
  });
});

describe("wsEngine on our engine", () => {
  it("constructs the class once per engine, at the engine's construction", async () => {
    const { Engine, built } = forwardingEngine();
    const engine = new EngineServer({ wsEngine: Engine });
    expect(built).toHaveLength(1);
    await startEngine("switchyard", { wsEngine: Engine });
    expect(built).toHaveLength(2);
    await engine.close();
  });

  it("is not constructed when websocket is not an enabled transport", () => {
    const { Engine, built } = forwardingEngine();
    new EngineServer({ wsEngine: Engine, transports: ["polling"] });
    expect(built).toHaveLength(0);
  });

  it("refuses a value that is not a class with InvalidArgumentError", () => {
    const notAClass = { handleUpgrade: () => {} } as unknown as WsEngine;
    expect(() => new EngineServer({ wsEngine: notAClass })).toThrow(InvalidArgumentError);
  });
});
