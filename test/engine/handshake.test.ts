// Handshake over polling and WebSocket (docs/protocol.md §1.3): the open packet, headers, cookie.
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  engineStarter,
  handshake,
  openWebSocket,
  rawPoll,
  waitForEvent,
} from "./support/engine-harness.js";

const startEngine = engineStarter();

describe("polling handshake", () => {
  it("answers 200 text/plain with an open packet holding exactly the five keys", async () => {
    const harness = await startEngine();
    const response = await rawPoll(harness);
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("text/plain; charset=UTF-8");
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.headers["content-length"]).toBe(String(response.raw.length));
    expect(response.body.startsWith("0{")).toBe(true);
    const open = JSON.parse(response.body.slice(1)) as Record<string, unknown>;
    expect(Object.keys(open)).toEqual([
      "sid",
      "upgrades",
      "pingInterval",
      "pingTimeout",
      "maxPayload",
    ]);
    expect(open).toMatchObject({
      upgrades: ["websocket"],
      pingInterval: 25000,
      pingTimeout: 20000,
      maxPayload: 1000000,
    });
    expect(open["sid"]).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(harness.engine.clientsCount).toBe(1);
  });

  it("advertises no upgrades when allowUpgrades is false or websocket is disabled", async () => {
    let harness = await startEngine({ allowUpgrades: false });
    expect((await handshake(harness)).open.upgrades).toEqual([]);
    await harness.close();
    harness = await startEngine({ transports: ["polling"] });
    expect((await handshake(harness)).open.upgrades).toEqual([]);
  });

  it("queues initialPacket right after the open packet", async () => {
    const harness = await startEngine({ initialPacket: "welcome" });
    const response = await rawPoll(harness);
    const [open, initial] = response.body.split("\x1e");
    expect(open?.startsWith("0{")).toBe(true);
    expect(initial).toBe("4welcome");
  });

  it("answers the handshake with the open packet only; a message sent on connection waits for the next GET", async () => {
    const harness = await startEngine();
    harness.engine.on("connection", (session) => session.send("hi"));
    const response = await rawPoll(harness);
    expect(response.body).not.toContain("\x1e");
    const { sid } = JSON.parse(response.body.slice(1)) as { sid: string };
    expect((await rawPoll(harness, sid)).body).toBe("4hi");
  });

  it("emits connection, initial_headers and headers, and lets headers be edited", async () => {
    const harness = await startEngine();
    const seen: string[] = [];
    harness.engine.on("initial_headers", (headers) => {
      seen.push("initial_headers");
      headers["X-Initial"] = "1";
    });
    harness.engine.on("headers", (headers) => {
      seen.push("headers");
      headers["X-Every"] = "1";
    });
    const { response, session } = await handshake(harness);
    expect(seen).toEqual(["initial_headers", "headers"]);
    expect(response.headers["x-initial"]).toBe("1");
    expect(response.headers["x-every"]).toBe("1");
    expect(session.protocol).toBe(4);
    expect(session.readyState).toBe("open");
    expect(session.transport.name).toBe("polling");
    expect(session.remoteAddress).toBe("127.0.0.1");
  });

  it("sets the io cookie on the polling handshake only", async () => {
    const harness = await startEngine({ cookie: true });
    const { response, open } = await handshake(harness);
    expect(response.headers["set-cookie"]).toEqual([
      `io=${open.sid}; Path=/; HttpOnly; SameSite=Lax`,
    ]);
    const poll = rawPoll(harness, open.sid);
    harness.engine.clients[open.sid]?.send("x");
    expect((await poll).headers["set-cookie"]).toBeUndefined();
  });

  it("honours cookie options (name, path:false, sameSite strict)", async () => {
    const harness = await startEngine({ cookie: { name: "lb", path: false, sameSite: "strict" } });
    const { response, open } = await handshake(harness);
    expect(response.headers["set-cookie"]).toEqual([`lb=${open.sid}; HttpOnly; SameSite=Strict`]);
  });

  it("uses an async generateId", async () => {
    const harness = await startEngine();
    let n = 0;
    harness.engine.generateId = async () => `custom-${++n}`;
    const { open } = await handshake(harness);
    expect(open.sid).toBe("custom-1");
  });
});

describe("websocket-only handshake", () => {
  it("upgrades at once and sends the open packet with no upgrades as the first text frame", async () => {
    const harness = await startEngine({ cookie: true });
    let upgradeHeaders: Record<string, unknown> | undefined;
    harness.engine.on("headers", (headers) => {
      upgradeHeaders = { ...headers };
    });
    const client = await openWebSocket(harness, {});
    // The cookie belongs to the polling handshake only (docs/protocol.md §1.11).
    expect(upgradeHeaders).toBeDefined();
    expect(upgradeHeaders?.["Set-Cookie"]).toBeUndefined();
    expect(upgradeHeaders?.["set-cookie"]).toBeUndefined();
    const first = await client.next();
    expect(typeof first).toBe("string");
    const open = JSON.parse((first as string).slice(1)) as Record<string, unknown>;
    expect((first as string)[0]).toBe("0");
    expect(Object.keys(open)).toEqual([
      "sid",
      "upgrades",
      "pingInterval",
      "pingTimeout",
      "maxPayload",
    ]);
    expect(open["upgrades"]).toEqual([]);
    expect(harness.engine.clients[open["sid"] as string]?.transport.name).toBe("websocket");
    client.ws.close();
  });

  it("calls writeHead() on the upgrade's response so hooked middlewares add headers to the 101", async () => {
    const harness = await startEngine();
    const closedResponses: string[] = [];
    // What on-headers (used by express-session) does: set headers when writeHead() runs.
    harness.engine.use((_req, res, next) => {
      const writeHead = res.writeHead;
      res.writeHead = function (this: typeof res, ...args: Parameters<typeof res.writeHead>) {
        res.setHeader("Set-Cookie", "connect.sid=s1; Path=/");
        return writeHead.apply(this, args);
      } as typeof res.writeHead;
      res.once("close", () => closedResponses.push("close"));
      next();
    });
    const url = `ws://127.0.0.1:${harness.port}${harness.path({ EIO: "4", transport: "websocket" })}`;
    const ws = new WebSocket(url);
    ws.on("error", () => {});
    const opened = waitForEvent(ws, "open");
    const [response] = await waitForEvent<[{ headers: Record<string, unknown> }]>(ws, "upgrade");
    expect(response.headers["set-cookie"]).toEqual(["connect.sid=s1; Path=/"]);
    await opened;
    const closed = waitForEvent(ws, "close");
    ws.close();
    await closed;
    // Like pino-http, a middleware may wait for the response's close: it follows the socket.
    while (closedResponses.length === 0) await new Promise<void>((r) => setImmediate(r));
    expect(closedResponses).toEqual(["close"]);
  });
});
