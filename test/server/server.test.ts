// Server API: constructor forms, attach/listen/bind, getters/setters, close().
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { AdapterNamespace, ServerOptions } from "@switchyard/server";
import {
  Adapter,
  InvalidArgumentError,
  Namespace,
  ParentNamespace,
  Server,
  Socket,
} from "@switchyard/server";
import { Server as OfficialEngine } from "engine.io";
import { Server as OfficialServer } from "socket.io";
import { io as ioc } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { connected, type ServerKind, waitFor } from "./harness.js";

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

function client(url: string) {
  const c = ioc(url, { forceNew: true, reconnection: false, transports: ["websocket"] });
  cleanup.push(() => c.disconnect());
  return c;
}

describe("Server", () => {
  it("listens on a port given to the constructor and answers 404 elsewhere", async () => {
    const port = await freePort();
    const io = new Server(port);
    cleanup.push(() => io.close());
    await once(io.httpServer as NodeJS.EventEmitter, "listening");
    const res = await fetch(`http://127.0.0.1:${port}/elsewhere`);
    expect(res.status).toBe(404);
    await connected(client(`http://127.0.0.1:${port}`));
  });

  it("accepts the port as a string, through listen()", async () => {
    const port = await freePort();
    const io = new Server({ connectTimeout: 1000 });
    cleanup.push(() => io.close());
    io.listen(String(port));
    await once(io.httpServer as NodeJS.EventEmitter, "listening");
    await connected(client(`http://127.0.0.1:${port}`));
    expect(io.connectTimeout()).toBe(1000);
  });

  it.each<ServerKind>(["switchyard", "official"])(
    "serves handshakes again after close() then listen() on the same port (%s server)",
    async (kind) => {
      const port = await freePort();
      const io = kind === "switchyard" ? new Server() : (new OfficialServer() as unknown as Server);
      cleanup.push(() => io.close());
      io.on("connection", (socket) => socket.emit("hello", "world"));
      const handshake = async (): Promise<string> => {
        const url = `http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`;
        return (await fetch(url)).text();
      };
      io.listen(port);
      await once(io.httpServer as NodeJS.EventEmitter, "listening");
      expect(await handshake()).toMatch(/^0\{"sid":/);
      await io.close();
      io.listen(port);
      await once(io.httpServer as NodeJS.EventEmitter, "listening");
      expect(await handshake()).toMatch(/^0\{"sid":/);
      for (const transports of [["polling"], ["websocket"]]) {
        const c = ioc(`http://127.0.0.1:${port}`, {
          forceNew: true,
          reconnection: false,
          transports,
        });
        cleanup.push(() => c.disconnect());
        expect(await waitFor(c, "hello")).toEqual(["world"]);
      }
    },
  );

  it("serves a custom path", async () => {
    const http = createServer();
    const io = new Server(http, { path: "/custom/" });
    cleanup.push(() => io.close());
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    expect(io.path()).toBe("/custom");
    const { port } = http.address() as AddressInfo;
    const c = ioc(`http://127.0.0.1:${port}`, {
      path: "/custom",
      forceNew: true,
      reconnection: false,
    });
    cleanup.push(() => c.disconnect());
    await connected(c);
  });

  it("refuses an Express-style request handler in attach()", () => {
    const io = new Server();
    const handler = (() => undefined) as unknown as Parameters<Server["attach"]>[0];
    expect(() => io.attach(handler)).toThrow(
      "You are trying to attach socket.io to an express request handler function. Please pass a http.Server instance.",
    );
  });

  it("binds the official engine.io server", async () => {
    const http = createServer();
    const engine = new OfficialEngine();
    engine.attach(http, { path: "/socket.io/" });
    const io = new Server();
    io.bind(engine);
    cleanup.push(() => io.close());
    cleanup.push(() => new Promise((r) => http.close(r)));
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    const { port } = http.address() as AddressInfo;
    io.on("connection", (s) => s.on("echo", (v: unknown, ack: (v: unknown) => void) => ack(v)));
    const c = client(`http://127.0.0.1:${port}`);
    await connected(c);
    expect(await c.emitWithAck("echo", [1, { b: Buffer.from([1]) }])).toEqual([
      1,
      { b: expect.anything() },
    ]);
  });

  it("forwards EventEmitter methods to the main namespace", () => {
    const io = new Server();
    const fn = () => undefined;
    io.on("connection", fn);
    expect(io.sockets.listeners("connection")).toEqual([fn]);
    expect(io.listeners("connection")).toEqual([fn]);
    io.off("connection", fn);
    expect(io.sockets.listenerCount("connection")).toBe(0);
  });

  it("re-creates the adapters of existing namespaces when the adapter is set", () => {
    const io = new Server();
    const admin = io.of("/admin");
    const created: string[] = [];
    class Tracking extends Adapter {
      constructor(nsp: AdapterNamespace) {
        super(nsp);
        created.push(nsp.name);
      }
    }
    io.adapter(Tracking);
    expect(io.adapter()).toBe(Tracking);
    expect(created.sort()).toEqual(["/", "/admin"]);
    expect(admin.adapter).toBeInstanceOf(Tracking);
    expect(io.of("/late").adapter).toBeInstanceOf(Tracking);
  });

  it("accepts an adapter factory function", () => {
    const io = new Server({ adapter: (nsp: AdapterNamespace) => new Adapter(nsp) });
    expect(io.sockets.adapter).toBeInstanceOf(Adapter);
  });

  it("calls the close() callback without error when the HTTP server was never started", async () => {
    const http = createServer();
    const io = new Server(http);
    const result = await new Promise<unknown[]>((resolve) => {
      void io.close((...args) => resolve(args));
    });
    expect(result.length).toBeLessThanOrEqual(1);
  });

  it("closes sockets, the engine and the HTTP server on close()", async () => {
    const http = createServer();
    const io = new Server(http);
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    const { port } = http.address() as AddressInfo;
    const c = client(`http://127.0.0.1:${port}`);
    const [socket] = await waitFor<[{ on: (e: string, f: (r: string) => void) => void }]>(
      io,
      "connection",
    );
    await connected(c);
    const reasons: string[] = [];
    socket.on("disconnect", (r) => reasons.push(r));
    await io.close();
    expect(reasons).toEqual(["server shutting down"]);
    expect(http.listening).toBe(false);
  });
});

describe("module exports", () => {
  it("exports the Server, Namespace and Socket classes that the server actually uses", async () => {
    const http = createServer();
    const io = new Server(http);
    cleanup.push(() => io.close());
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    const { port } = http.address() as AddressInfo;
    expect(io.sockets).toBeInstanceOf(Namespace);
    expect(io.of(/^\/x$/)).toBeInstanceOf(ParentNamespace);
    const seen = waitFor<[unknown]>(io, "connection");
    client(`http://127.0.0.1:${port}`);
    const [socket] = await seen;
    expect(socket).toBeInstanceOf(Socket);
  });
});

describe("adapters", () => {
  it("calls init() once for every namespace, dynamic children included", async () => {
    const inits: string[] = [];
    class Tracking extends Adapter {
      override init(): void {
        inits.push(this.nsp.name);
      }
    }
    const http = createServer();
    const io = new Server(http, { adapter: Tracking });
    cleanup.push(() => io.close());
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    const { port } = http.address() as AddressInfo;
    io.of("/admin");
    io.of(/^\/dyn-\d$/);
    await connected(client(`http://127.0.0.1:${port}/dyn-1`));
    expect(inits).toEqual(["/", "/admin", "/dyn-1"]);
  });
});

describe("adapter init failures", () => {
  it("reports a rejected init() on the adapter's error event, and never crashes without a listener", async () => {
    class Failing extends Adapter {
      override init(): Promise<void> {
        return Promise.reject(new Error(`init failed: ${this.nsp.name}`));
      }
    }
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const io = new Server({ adapter: Failing });
      const errors: string[] = [];
      io.of("/watched").adapter.on("error", (err: Error) => errors.push(err.message));
      await new Promise((r) => setTimeout(r, 20));
      expect(errors).toEqual(["init failed: /watched"]);
      expect(unhandled).toEqual([]);
      await io.close();
    } finally {
      process.removeListener("unhandledRejection", onUnhandled);
    }
  });
});

describe("Server close()", () => {
  it("closes sockets, then awaits every adapter, then closes the engine, then the HTTP server", async () => {
    const order: string[] = [];
    class SlowClosing extends Adapter {
      override async close(): Promise<void> {
        order.push(`adapter ${this.nsp.name} start (sockets left: ${this.nsp.sockets.size})`);
        await new Promise((r) => setTimeout(r, 30));
        order.push(`adapter ${this.nsp.name} done`);
      }
    }
    const http = createServer();
    const io = new Server(http, { adapter: SlowClosing });
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    const { port } = http.address() as AddressInfo;
    const engineClose = io.engine.close.bind(io.engine);
    io.engine.close = () => {
      order.push("engine");
      return engineClose();
    };
    const httpClose = http.close.bind(http);
    http.close = ((cb?: (err?: Error) => void) => {
      order.push("http");
      return httpClose(cb);
    }) as typeof http.close;
    const a = client(`http://127.0.0.1:${port}`);
    const b = client(`http://127.0.0.1:${port}/admin`);
    io.of("/admin");
    const sockets = await Promise.all([
      waitFor<[NodeJS.EventEmitter]>(io, "connection"),
      waitFor<[NodeJS.EventEmitter]>(io.of("/admin"), "connection"),
    ]);
    await Promise.all([connected(a), connected(b)]);
    for (const [socket] of sockets) {
      socket.on("disconnect", (reason: string) => order.push(`socket ${reason}`));
    }
    let callbackArgs: unknown[] | undefined;
    await io.close((...args) => {
      callbackArgs = args;
    });
    // The engine also closes itself on the HTTP server's "close" event (as engine.io does).
    expect([...new Set(order)]).toEqual([
      "socket server shutting down",
      "adapter / start (sockets left: 0)",
      "adapter /admin start (sockets left: 0)",
      "adapter / done",
      "adapter /admin done",
      "engine",
      "http",
    ]);
    expect(order.slice(0, 2)).toEqual([
      "socket server shutting down",
      "socket server shutting down",
    ]);
    expect(callbackArgs).toEqual([undefined]);
    expect(http.listening).toBe(false);
  });
});

describe("Server options", () => {
  it("refuses an empty nodeId and a negative connectTimeout with InvalidArgumentError", () => {
    expect(() => new Server({ nodeId: "" })).toThrow(
      expect.objectContaining({
        code: "SY_ERR_SERVER_INVALID_ARGUMENT",
        message: "option nodeId must be a non-empty string",
      }),
    );
    expect(() => new Server({ connectTimeout: -1 })).toThrow(
      expect.objectContaining({
        code: "SY_ERR_SERVER_INVALID_ARGUMENT",
        message: "option connectTimeout must be a non-negative number",
      }),
    );
    expect(() => new Server({ nodeId: "" })).toThrow(InvalidArgumentError);
  });

  it("accepts the official socket.io-parser as a custom parser", async () => {
    const parser = await import("socket.io-parser");
    const http = createServer();
    const io = new Server(http, { parser: parser as unknown as ServerOptions["parser"] & object });
    cleanup.push(() => io.close());
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    const { port } = http.address() as AddressInfo;
    io.on("connection", (s) => s.on("echo", (v: unknown, ack: (v: unknown) => void) => ack(v)));
    const c = client(`http://127.0.0.1:${port}`);
    await connected(c);
    expect(await c.emitWithAck("echo", { deep: [1, 2] })).toEqual({ deep: [1, 2] });
  });
});
