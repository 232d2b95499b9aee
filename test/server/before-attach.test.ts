// `io.engine` and `io.httpServer` are typed as present (as in socket.io's typings); their values
// agree with that before attach() too: the engine is created on first read and is the one
// attach() then attaches, and httpServer throws instead of returning undefined.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { EngineServer, type EngineSession, nodeTag, readSidTag, Server } from "@switchyard/server";
import { io as ioc } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { connected } from "./harness.js";

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function listening(): Promise<{ http: ReturnType<typeof createServer>; url: string }> {
  const http = createServer();
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  return { http, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

function client(url: string) {
  const c = ioc(url, { forceNew: true, reconnection: false, transports: ["websocket"] });
  cleanup.push(() => c.disconnect());
  return c;
}

describe("io.engine before attach()", () => {
  it("is our engine, and attach() attaches that one with the listeners added to it", async () => {
    const io = new Server({ nodeId: "before-attach" });
    cleanup.push(() => io.close());
    const engine = io.engine;
    expect(engine).toBeInstanceOf(EngineServer);
    const sessions: EngineSession[] = [];
    engine.on("connection", (session) => sessions.push(session));
    const { http, url } = await listening();
    io.attach(http);
    expect(io.engine).toBe(engine);
    const socket = client(url);
    await connected(socket);
    expect(sessions).toHaveLength(1);
    // It is the Server's engine: its sids carry this node's tag, its sockets reach the Server.
    expect(readSidTag(sessions[0]?.id ?? "")).toBe(nodeTag("before-attach"));
    expect(io.sockets.sockets.size).toBe(1);
  });

  it("is replaced by an engine given to bind(), and attach() then makes its own", async () => {
    const io = new Server();
    cleanup.push(() => io.close());
    const first = io.engine;
    const bound = new EngineServer();
    io.bind(bound);
    expect(io.engine).toBe(bound);
    const { http, url } = await listening();
    io.attach(http);
    expect(io.engine).not.toBe(first);
    expect(io.engine).not.toBe(bound);
    await connected(client(url));
  });
});

describe("io.httpServer before attach()", () => {
  it("throws SY_ERR_SOCKET_NOT_ATTACHED, then is the attached server", async () => {
    const io = new Server();
    cleanup.push(() => io.close());
    expect(() => io.httpServer).toThrow(
      expect.objectContaining({ code: "SY_ERR_SOCKET_NOT_ATTACHED" }),
    );
    const { http } = await listening();
    io.attach(http);
    expect(io.httpServer).toBe(http);
  });

  it("is the server given to the constructor at once", async () => {
    const { http } = await listening();
    const io = new Server(http);
    cleanup.push(() => io.close());
    expect(io.httpServer).toBe(http);
  });
});
