// The handshake/verification error table (docs/protocol.md §1.5): codes 0–5, 400/403 JSON bodies for
// polling, a raw 400 for refused upgrades, and the connection_error event (its context compared
// with the official engine's).
import { connect } from "node:net";
import type { EngineConnectionError } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import { anyEngineStarter, ENGINE_KINDS } from "./support/any-engine.js";
import {
  type EngineHarness,
  engineStarter,
  handshake,
  rawPoll,
  rawRequest,
  waitForEvent,
} from "./support/engine-harness.js";

const startEngine = engineStarter();

/** A polling handshake on either engine: the open packet's sid. */
async function handshakeOf(harness: EngineHarness): Promise<{ open: { sid: string } }> {
  const body = (await rawPoll(harness)).body;
  return { open: JSON.parse(body.slice(1)) as { sid: string } };
}

async function expectJsonError(
  response: Promise<{ status: number; headers: Record<string, unknown>; body: string }>,
  status: number,
  code: number,
  message: string,
): Promise<void> {
  const answer = await response;
  expect(answer.status).toBe(status);
  expect(answer.headers["content-type"]).toBe("application/json");
  expect(JSON.parse(answer.body)).toEqual({ code, message });
}

/** Sends a raw upgrade request and returns everything the server wrote before closing. */
function rawUpgrade(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`,
      );
    });
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("close", () => resolve(Buffer.concat(chunks).toString()));
    socket.on("error", reject);
  });
}

describe("polling verification errors", () => {
  it("answers code 0 for a missing, unknown or prototype-named transport", async () => {
    const harness = await startEngine();
    for (const transport of [undefined, "tcp", "__proto__", "constructor", "webtransport"]) {
      const query: Record<string, string> = { EIO: "4" };
      if (transport !== undefined) query["transport"] = transport;
      await expectJsonError(
        rawRequest(harness.port, { path: harness.path(query) }),
        400,
        0,
        "Transport unknown",
      );
    }
  });

  it("answers code 0 for a transport that is not enabled", async () => {
    const harness = await startEngine({ transports: ["websocket"] });
    await expectJsonError(rawPoll(harness), 400, 0, "Transport unknown");
  });

  it("answers code 1 for an unknown sid, including prototype names", async () => {
    const harness = await startEngine();
    for (const sid of ["nope", "__proto__", "toString"]) {
      await expectJsonError(rawPoll(harness, sid), 400, 1, "Session ID unknown");
    }
  });

  it("answers code 2 for a handshake with a method other than GET", async () => {
    const harness = await startEngine();
    for (const method of ["POST", "PUT", "OPTIONS"]) {
      await expectJsonError(
        rawRequest(harness.port, {
          method,
          path: harness.path({ EIO: "4", transport: "polling" }),
        }),
        400,
        2,
        "Bad handshake method",
      );
    }
  });

  it("answers code 3 for transport=websocket without an Upgrade header", async () => {
    const harness = await startEngine();
    const error = waitForEvent<[EngineConnectionError]>(harness.engine, "connection_error");
    await expectJsonError(
      rawRequest(harness.port, { path: harness.path({ EIO: "4", transport: "websocket" }) }),
      400,
      3,
      "Bad request",
    );
    const [event] = await error;
    expect(event.code).toBe(3);
    expect(event.message).toBe("Bad request");
    expect(event.context["name"]).toBe("TRANSPORT_HANDSHAKE_ERROR");
  });

  it("answers 403 code 4 with the allowRequest message, or Forbidden without one", async () => {
    let harness = await startEngine({
      allowRequest: (_req, callback) => callback("go away", false),
    });
    const error = waitForEvent<[EngineConnectionError]>(harness.engine, "connection_error");
    await expectJsonError(rawPoll(harness), 403, 4, "go away");
    const [event] = await error;
    expect(event).toMatchObject({ code: 4, message: "Forbidden", context: { message: "go away" } });
    await harness.close();
    harness = await startEngine({ allowRequest: (_req, callback) => callback(null, false) });
    await expectJsonError(rawPoll(harness), 403, 4, "Forbidden");
  });

  it("lets allowRequest accept a handshake", async () => {
    const harness = await startEngine({
      allowRequest: (_req, callback) => setImmediate(callback, null, true),
    });
    expect((await rawPoll(harness)).status).toBe(200);
  });

  it("answers code 5 for a missing or non-4 EIO", async () => {
    const harness = await startEngine();
    for (const eio of [undefined, "3", "5", "4.0"]) {
      const query: Record<string, string> = { transport: "polling" };
      if (eio !== undefined) query["EIO"] = eio;
      await expectJsonError(
        rawRequest(harness.port, { path: harness.path(query) }),
        400,
        5,
        "Unsupported protocol version",
      );
    }
  });

  it("answers code 3 MIDDLEWARE_FAILURE when a middleware calls next(err)", async () => {
    const harness = await startEngine();
    harness.engine.use((_req, _res, next) => next(new Error("nope")));
    const error = waitForEvent<[EngineConnectionError]>(harness.engine, "connection_error");
    await expectJsonError(rawPoll(harness), 400, 3, "Bad request");
    expect((await error)[0].context["name"]).toBe("MIDDLEWARE_FAILURE");
  });

  it("runs middlewares in order and lets them set headers on every answer", async () => {
    const harness = await startEngine();
    const order: number[] = [];
    harness.engine.use((_req, res, next) => {
      order.push(1);
      res.setHeader("X-Mw", "yes");
      next();
    });
    harness.engine.use((_req, _res, next) => {
      order.push(2);
      next();
    });
    const ok = await rawPoll(harness);
    expect(ok.headers["x-mw"]).toBe("yes");
    const failed = await rawPoll(harness, "unknown");
    expect(failed.headers["x-mw"]).toBe("yes");
    expect(order).toEqual([1, 2, 1, 2]);
  });

  it("answers code 3 ID_GENERATION_ERROR when generateId throws or rejects", async () => {
    const harness = await startEngine();
    harness.engine.generateId = () => {
      throw new Error("boom");
    };
    await expectJsonError(rawPoll(harness), 400, 3, "Bad request");
    harness.engine.generateId = () => Promise.reject(new Error("boom"));
    const error = waitForEvent<[EngineConnectionError]>(harness.engine, "connection_error");
    await expectJsonError(rawPoll(harness), 400, 3, "Bad request");
    expect((await error)[0].context["name"]).toBe("ID_GENERATION_ERROR");
  });

  it("answers 500 to a method other than GET/POST on a live session", async () => {
    const harness = await startEngine();
    const { open } = await handshake(harness);
    const response = await rawRequest(harness.port, {
      method: "PUT",
      path: harness.path({ EIO: "4", transport: "polling", sid: open.sid }),
    });
    expect(response.status).toBe(500);
    expect(response.body).toBe("");
  });
});

describe("upgrade verification errors", () => {
  it("writes a raw 400 with the generic message and closes the socket", async () => {
    const harness = await startEngine();
    const answer = await rawUpgrade(harness.port, harness.path({ EIO: "4", transport: "nope" }));
    expect(answer).toBe(
      "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-type: text/html\r\n" +
        "Content-Length: 17\r\n\r\nTransport unknown",
    );
    const unknownSid = await rawUpgrade(
      harness.port,
      harness.path({ EIO: "4", transport: "websocket", sid: "nope" }),
    );
    expect(unknownSid.endsWith("\r\n\r\nSession ID unknown")).toBe(true);
    const badEio = await rawUpgrade(
      harness.port,
      harness.path({ EIO: "3", transport: "websocket" }),
    );
    expect(badEio.endsWith("\r\n\r\nUnsupported protocol version")).toBe(true);
    // An upgrade asking for the polling transport (see docs/compat.md).
    const polling = await rawUpgrade(
      harness.port,
      harness.path({ EIO: "4", transport: "polling" }),
    );
    expect(polling.endsWith("\r\n\r\nTransport unknown")).toBe(true);
  });

  it("answers 400 (not 403) with the allowRequest message for a refused upgrade", async () => {
    const harness = await startEngine({
      allowRequest: (_req, callback) => callback("denied", false),
    });
    const answer = await rawUpgrade(
      harness.port,
      harness.path({ EIO: "4", transport: "websocket" }),
    );
    expect(answer.startsWith("HTTP/1.1 400 Bad Request\r\n")).toBe(true);
    expect(answer.endsWith("\r\n\r\ndenied")).toBe(true);
  });

  it("destroys the socket when a middleware ends the upgrade's response", async () => {
    const harness = await startEngine();
    harness.engine.use((_req, res) => {
      res.statusCode = 401;
      res.end();
    });
    const answer = await rawUpgrade(
      harness.port,
      harness.path({ EIO: "4", transport: "websocket" }),
    );
    expect(answer).toBe("");
  });

  it("refuses an upgrade whose middleware fails", async () => {
    const harness = await startEngine();
    harness.engine.use((_req, _res, next) => next(new Error("nope")));
    const answer = await rawUpgrade(
      harness.port,
      harness.path({ EIO: "4", transport: "websocket" }),
    );
    expect(answer.endsWith("\r\n\r\nBad request")).toBe(true);
  });
});

describe.each(ENGINE_KINDS)("connection_error context (%s engine)", (kind) => {
  const startAny = anyEngineStarter();

  it("reports the protocol revision as the number 3 for any EIO other than 4", async () => {
    const harness = await startAny(kind);
    for (const eio of [undefined, "3", "5", "4.0"]) {
      const query: Record<string, string> = { transport: "polling" };
      if (eio !== undefined) query["EIO"] = eio;
      const error = waitForEvent<[EngineConnectionError]>(harness.engine, "connection_error");
      await rawRequest(harness.port, { path: harness.path(query) });
      const [{ code, context }] = await error;
      expect(code).toBe(5);
      expect(context).toEqual({ protocol: 3 });
    }
  });

  it("reports INVALID_ORIGIN for an Origin no header may hold, on every kind of request", async () => {
    const harness = await startAny(kind);
    // Node's HTTP parser refuses such bytes on the wire; an upstream middleware can still set them.
    harness.engine.use((req, _res, next) => {
      const origin = req.headers["x-test-origin"];
      if (typeof origin === "string") req.headers.origin = decodeURIComponent(origin);
      next();
    });
    const origin = "http://a\nb";
    const headers = { "x-test-origin": encodeURIComponent(origin) };
    const { open } = await handshakeOf(harness);
    const requests = [
      () =>
        rawRequest(harness.port, {
          path: harness.path({ EIO: "4", transport: "polling" }),
          headers,
        }),
      () =>
        rawRequest(harness.port, {
          path: harness.path({ EIO: "4", transport: "websocket" }),
          headers,
        }),
      () =>
        rawRequest(harness.port, {
          path: harness.path({ EIO: "4", transport: "polling", sid: open.sid }),
          headers,
        }),
      () => rawUpgrade(harness.port, harness.path({ EIO: "4", transport: "websocket" }), headers),
    ];
    for (const send of requests) {
      const error = waitForEvent<[EngineConnectionError]>(harness.engine, "connection_error");
      await send();
      const [{ code, message, context }] = await error;
      expect({ code, message, context }).toEqual({
        code: 3,
        message: "Bad request",
        context: { name: "INVALID_ORIGIN", origin },
      });
    }
  });
});
