// CORS as an engine middleware (preflight, errors, upgrades) and attach() routing: path prefix,
// addTrailingSlash, unrelated requests left alone, unhandled upgrades destroyed, listen().
import { type AddressInfo, connect } from "node:net";
import { listen } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  engineStarter,
  handshake,
  rawPoll,
  rawPost,
  rawRequest,
  waitForEvent,
} from "./support/engine-harness.js";

const startEngine = engineStarter();

const ORIGIN = "http://app.example";

describe("cors option", () => {
  it("answers a preflight with 204 and the Access-Control headers", async () => {
    const harness = await startEngine({ cors: { origin: ORIGIN, credentials: true } });
    const response = await rawRequest(harness.port, {
      method: "OPTIONS",
      path: harness.path({ EIO: "4", transport: "polling" }),
      headers: { Origin: ORIGIN, "Access-Control-Request-Method": "POST" },
    });
    expect(response.status).toBe(204);
    expect(response.headers["access-control-allow-origin"]).toBe(ORIGIN);
    expect(response.headers["access-control-allow-credentials"]).toBe("true");
    expect(response.headers["access-control-allow-methods"]).toContain("POST");
  });

  it("adds the headers to handshakes and to error answers", async () => {
    const harness = await startEngine({ cors: { origin: [ORIGIN, /\.other\.example$/] } });
    const ok = await rawPoll(harness, undefined, {}, { headers: { Origin: ORIGIN } });
    expect(ok.headers["access-control-allow-origin"]).toBe(ORIGIN);
    const failed = await rawPoll(
      harness,
      "unknown",
      {},
      { headers: { Origin: "http://a.other.example" } },
    );
    expect(failed.status).toBe(400);
    expect(failed.headers["access-control-allow-origin"]).toBe("http://a.other.example");
  });

  it("answers a refused origin at once, with no or a mismatching Allow-Origin", async () => {
    let harness = await startEngine({ cors: { origin: [ORIGIN] } });
    const evil = { headers: { Origin: "http://evil.example" } };
    const response = await rawPoll(harness, undefined, {}, evil);
    expect(response.status).toBe(200);
    expect(response.headers["access-control-allow-origin"]).toBeUndefined();
    await harness.close();
    // A single string origin is always echoed as is (cors package semantics): the browser then
    // reports the mismatch.
    harness = await startEngine({ cors: { origin: ORIGIN } });
    const fixed = await rawPoll(harness, undefined, {}, evil);
    expect(fixed.headers["access-control-allow-origin"]).toBe(ORIGIN);
  });

  it("adds the headers to the 101 of a WebSocket upgrade", async () => {
    const harness = await startEngine({ cors: { origin: ORIGIN, credentials: true } });
    const url = `ws://127.0.0.1:${harness.port}${harness.path({ EIO: "4", transport: "websocket" })}`;
    const ws = new WebSocket(url, { origin: ORIGIN });
    const [response] = await waitForEvent<[{ headers: Record<string, string> }]>(ws, "upgrade");
    expect(response.headers["access-control-allow-origin"]).toBe(ORIGIN);
    ws.close();
  });

  it("adds the headers to the transport's own 400, 413 and 500 answers", async () => {
    const harness = await startEngine({ cors: { origin: ORIGIN }, maxHttpBufferSize: 10 });
    const headers = { Origin: ORIGIN, "Content-Type": "text/plain;charset=UTF-8" };
    const tooBig = await handshake(harness);
    const r413 = await rawPost(harness, tooBig.open.sid, `4${"x".repeat(50)}`, headers);
    expect(r413.status).toBe(413);
    expect(r413.headers["access-control-allow-origin"]).toBe(ORIGIN);
    const r500 = await rawRequest(harness.port, {
      method: "PUT",
      path: harness.path({ EIO: "4", transport: "polling", sid: tooBig.open.sid }),
      headers,
    });
    expect(r500.status).toBe(500);
    expect(r500.headers["access-control-allow-origin"]).toBe(ORIGIN);
    const binary = { ...headers, "Content-Type": "application/octet-stream" };
    const r400 = await rawPost(harness, tooBig.open.sid, "4x", binary);
    expect(r400.status).toBe(400);
    expect(r400.headers["access-control-allow-origin"]).toBe(ORIGIN);
  });

  it("without cors, a preflight handshake fails with code 2 and no ACAO", async () => {
    const harness = await startEngine();
    const response = await rawRequest(harness.port, {
      method: "OPTIONS",
      path: harness.path({ EIO: "4", transport: "polling" }),
      headers: { Origin: ORIGIN },
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ code: 2, message: "Bad handshake method" });
    expect(response.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("attach routing", () => {
  it("matches the path by prefix and needs the trailing slash by default", async () => {
    const harness = await startEngine();
    const prefixed = await rawRequest(harness.port, {
      path: "/engine.io/anything?EIO=4&transport=polling",
    });
    expect(prefixed.status).toBe(200);
    const bare = await rawRequest(harness.port, { path: "/engine.io?EIO=4&transport=polling" });
    expect(bare.status).toBe(404);
  });

  it("accepts requests without the trailing slash when addTrailingSlash is false", async () => {
    const harness = await startEngine({ addTrailingSlash: false });
    expect(
      (await rawRequest(harness.port, { path: "/engine.io?EIO=4&transport=polling" })).status,
    ).toBe(200);
    expect(
      (await rawRequest(harness.port, { path: "/engine.io/foo/bar/?EIO=4&transport=polling" }))
        .status,
    ).toBe(200);
  });

  it("serves a custom path and leaves the default one alone", async () => {
    const harness = await startEngine({ path: "/custom" });
    expect(
      (await rawRequest(harness.port, { path: "/custom/?EIO=4&transport=polling" })).status,
    ).toBe(200);
    expect(
      (await rawRequest(harness.port, { path: "/engine.io/?EIO=4&transport=polling" })).status,
    ).toBe(404);
  });

  it("destroys an upgrade outside the path after destroyUpgradeTimeout", async () => {
    const harness = await startEngine({ destroyUpgradeTimeout: 50 });
    const socket = connect(harness.port, "127.0.0.1");
    socket.on("connect", () => {
      socket.write(
        "GET /elsewhere HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
      );
    });
    await waitForEvent(socket, "close");
  });

  it("destroys an unhandled upgrade even when the peer never closes its side", async () => {
    const harness = await startEngine({ destroyUpgradeTimeout: 50 });
    const upgraded = waitForEvent<[unknown, import("node:stream").Duplex]>(harness.http, "upgrade");
    const socket = connect({ port: harness.port, host: "127.0.0.1", allowHalfOpen: true });
    socket.on("error", () => {});
    socket.on("connect", () => {
      socket.write(
        "GET /elsewhere HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
      );
    });
    const [, serverSide] = await upgraded;
    await waitForEvent(socket, "end");
    expect(serverSide.destroyed).toBe(true);
    socket.destroy();
  });

  it("leaves an unhandled upgrade alone when destroyUpgrade is false", async () => {
    const harness = await startEngine({ destroyUpgrade: false, destroyUpgradeTimeout: 20 });
    const upgraded = waitForEvent<[unknown, import("node:stream").Duplex]>(harness.http, "upgrade");
    const socket = connect(harness.port, "127.0.0.1");
    socket.on("error", () => {});
    socket.on("connect", () => {
      socket.write(
        "GET /elsewhere HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
      );
    });
    const [, serverSide] = await upgraded;
    // Another upgrade listener may answer late: the engine must not have touched the socket.
    await new Promise<void>((resolve) => setTimeout(resolve, 100));
    expect(serverSide.destroyed).toBe(false);
    expect(serverSide.writable).toBe(true);
    socket.destroy();
  });

  it("closes every session when the HTTP server closes", async () => {
    const harness = await startEngine();
    const { session } = await handshake(harness);
    const closed = waitForEvent<[string]>(session, "close");
    harness.http.close();
    expect((await closed)[0]).toBe("forced close");
  });

  it("listen() serves the engine and answers 501 elsewhere", async () => {
    let engine: ReturnType<typeof listen> | undefined;
    const listening = new Promise<void>((resolve) => {
      engine = listen(0, {}, resolve);
    });
    await listening;
    const server = engine?.httpServer;
    if (server === undefined || engine === undefined) throw new Error("no server");
    const port = (server.address() as AddressInfo).port;
    const other = await rawRequest(port, { path: "/" });
    expect(other.status).toBe(501);
    expect(other.body).toBe("Not Implemented");
    const ok = await rawRequest(port, { path: "/engine.io/?EIO=4&transport=polling" });
    expect(ok.body.startsWith("0{")).toBe(true);
    await engine.close();
    await new Promise((resolve) => server.close(resolve));
  });
});
