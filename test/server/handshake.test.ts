// Handshake: the CONNECT exchange on the wire, the socket's handshake object, ids and sid tags.

import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EngineSession, Socket } from "@switchyard/server";
import { nodeTag, readSidTag, Server } from "@switchyard/server";
import { io as ioc } from "socket.io-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import { connected, type Harness, startServer, waitFor } from "./harness.js";
import { openRawPeer, rawConnect } from "./raw-peer.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("handshake", () => {
  it('answers "40" with 40{"sid":…} carrying a fresh 20-char id that is not the Engine.IO sid', async () => {
    h = await startServer();
    const peer = await openRawPeer(h.port);
    peer.send("40");
    const reply = String(await peer.next());
    expect(reply).toMatch(/^40\{"sid":"[\w-]{20}"\}$/);
    const sid = (JSON.parse(reply.slice(2)) as { sid: string }).sid;
    expect(sid).not.toBe(peer.sid);
    peer.close();
  });

  it("answers a CONNECT to /admin with 40/admin,{…}", async () => {
    h = await startServer();
    h.io.of("/admin");
    const peer = await openRawPeer(h.port);
    peer.send("40/admin,");
    expect(String(await peer.next())).toMatch(/^40\/admin,\{"sid":"[\w-]{20}"\}$/);
    peer.close();
  });

  it("tags every Engine.IO sid with the node tag of io.nodeId", async () => {
    h = await startServer({ nodeId: "node-a" });
    expect(h.io.nodeId).toBe("node-a");
    const peer = await openRawPeer(h.port);
    expect(peer.sid).toMatch(/^[\w-]{20}$/);
    expect(readSidTag(peer.sid)).toBe(nodeTag("node-a"));
    peer.close();
  });

  it("defaults nodeId to SWITCHYARD_NODE_ID", async () => {
    const before = process.env["SWITCHYARD_NODE_ID"];
    process.env["SWITCHYARD_NODE_ID"] = "from-env";
    try {
      h = await startServer();
      expect(h.io.nodeId).toBe("from-env");
    } finally {
      if (before === undefined) delete process.env["SWITCHYARD_NODE_ID"];
      else process.env["SWITCHYARD_NODE_ID"] = before;
    }
  });

  it("exposes the exact handshake shape, with auth and query", async () => {
    h = await startServer();
    const seen = waitFor<[Socket]>(h.io, "connection");
    const c = h.client("/", { auth: { token: "abc" }, query: { q: "1" } });
    const [socket] = await seen;
    await connected(c);
    const hs = socket.handshake;
    expect(Object.keys(hs).sort()).toEqual(
      ["address", "auth", "headers", "issued", "query", "secure", "time", "url", "xdomain"].sort(),
    );
    expect(hs.auth).toEqual({ token: "abc" });
    expect(hs.query["q"]).toBe("1");
    expect(hs.query["EIO"]).toBe("4");
    expect(hs.secure).toBe(false);
    expect(hs.xdomain).toBe(false);
    expect(typeof hs.time).toBe("string");
    expect(typeof hs.issued).toBe("number");
    expect(hs.url.startsWith("/socket.io/?")).toBe(true);
    expect(hs.address).toContain("127.0.0.1");
    expect(socket.id).toBe(c.id);
    expect(socket.connected).toBe(true);
    expect(socket.rooms).toEqual(new Set([socket.id]));
  });

  it("emits connect and connection with the same socket", async () => {
    h = await startServer();
    const a = waitFor<[Socket]>(h.io, "connect");
    const b = waitFor<[Socket]>(h.io, "connection");
    h.client();
    const [[s1], [s2]] = await Promise.all([a, b]);
    expect(s1).toBe(s2);
  });

  it("closes a session that joins no namespace within connectTimeout, when that timer fires", async () => {
    // A delay no other timer of the server uses: the test fires that timer itself.
    const connectTimeout = 60_123;
    const timers = vi.spyOn(globalThis, "setTimeout");
    try {
      h = await startServer({ connectTimeout });
      const sessions = waitFor<[EngineSession]>(h.io.engine, "connection");
      const peer = await openRawPeer(h.port);
      const [session] = await sessions;
      const reasons: string[] = [];
      session.on("close", (reason) => reasons.push(reason));
      const armed = timers.mock.calls.filter(([, ms]) => ms === connectTimeout);
      expect(armed).toHaveLength(1);
      expect(session.readyState).toBe("open");
      const [fire] = armed[0] as [() => void];
      fire();
      await peer.closed();
      expect(reasons).toEqual(["forced close"]);
    } finally {
      timers.mockRestore();
    }
  });

  it("keeps the session open after a CONNECT within connectTimeout", async () => {
    h = await startServer({ connectTimeout: 100 });
    const peer = await openRawPeer(h.port);
    await rawConnect(peer);
    await expect(peer.closed(300)).rejects.toThrow("server did not close");
    peer.close();
  });

  it("works over HTTP long-polling with the official client", async () => {
    h = await startServer();
    h.io.on("connection", (socket) => socket.on("echo", (v, ack) => ack(v)));
    const c = h.client("/", { transports: ["polling"] });
    await connected(c);
    expect(await c.emitWithAck("echo", { a: [1, "x"] })).toEqual({ a: [1, "x"] });
  });

  it("exposes the getters/setters with official defaults", async () => {
    h = await startServer();
    expect(h.io.path()).toBe("/socket.io");
    expect(h.io.connectTimeout()).toBe(45000);
    expect(h.io.serveClient()).toBe(true);
    expect(h.io.path("/x/").path()).toBe("/x");
  });
});

describe("handshake details", () => {
  it("sets xdomain from the Origin header and keeps the headers, url and query of the first request", async () => {
    h = await startServer();
    const seen = waitFor<[Socket]>(h.io, "connection");
    const c = h.client("/", {
      transports: ["polling"],
      extraHeaders: { origin: "http://elsewhere.example", "x-trace": "t-1" },
      query: { room: "blue" },
    });
    const [socket] = await seen;
    await connected(c);
    const hs = socket.handshake;
    expect(hs.xdomain).toBe(true);
    expect(hs.headers["x-trace"]).toBe("t-1");
    expect(hs.headers.host).toBe(`127.0.0.1:${h.port}`);
    expect(hs.url).toMatch(/^\/socket\.io\/\?/);
    expect(new URL(hs.url, "http://x").searchParams.get("room")).toBe("blue");
    expect(hs.query).toMatchObject({ room: "blue", EIO: "4", transport: "polling" });
    expect(hs.auth).toEqual({});
  });

  it("gives time as a Date string and issued as epoch milliseconds of the same instant", async () => {
    h = await startServer();
    const seen = waitFor<[Socket]>(h.io, "connection");
    const before = Date.now();
    h.client();
    const [socket] = await seen;
    const { time, issued } = socket.handshake;
    expect(issued).toBeGreaterThanOrEqual(before);
    expect(issued).toBeLessThanOrEqual(Date.now());
    expect(time).toBe(new Date(issued).toString());
  });

  it("exposes conn, request and client of the socket", async () => {
    h = await startServer();
    const seen = waitFor<[Socket]>(h.io, "connection");
    const c = h.client();
    const [socket] = await seen;
    await connected(c);
    expect(socket.conn.transport.name).toBe("websocket");
    expect(socket.request.headers.host).toBe(`127.0.0.1:${h.port}`);
    expect(socket.client.conn).toBe(socket.conn);
    expect(socket.nsp).toBe(h.io.sockets);
    expect(h.io.sockets.sockets.get(socket.id)).toBe(socket);
  });
});

describe("connectTimeout", () => {
  it("does not close a session whose CONNECT was refused by a middleware until the timeout", async () => {
    h = await startServer({ connectTimeout: 150 });
    h.io.use((_s, next) => next(new Error("no")));
    const peer = await openRawPeer(h.port);
    peer.send("40");
    expect(String(await peer.next())).toBe('44{"message":"no"}');
    // Refused: still in no namespace, so the timeout closes it.
    await peer.closed(2000);
  });

  it("keeps the session open once a namespace was joined, even after leaving it", async () => {
    h = await startServer({ connectTimeout: 60 });
    const peer = await openRawPeer(h.port);
    await rawConnect(peer);
    peer.send("41");
    await expect(peer.closed(300)).rejects.toThrow("server did not close");
    peer.close();
  });

  it("reads the connectTimeout setter for new sessions", async () => {
    h = await startServer();
    h.io.connectTimeout(40);
    expect(h.io.connectTimeout()).toBe(40);
    const peer = await openRawPeer(h.port);
    await peer.closed(2000);
  });
});

/** A throwaway self-signed certificate, made with the openssl CLI (undefined when absent). */
function selfSignedCert(): { key: Buffer; cert: Buffer } | undefined {
  const dir = mkdtempSync(join(tmpdir(), "sy-tls-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    return { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("handshake over TLS", () => {
  const tls = selfSignedCert();
  it.skipIf(tls === undefined)("sets secure to true over https", async () => {
    const https = createHttpsServer(tls ?? {});
    const io = new Server(https);
    https.listen(0, "127.0.0.1");
    await once(https, "listening");
    const { port } = https.address() as AddressInfo;
    const seen = waitFor<[Socket]>(io, "connection");
    const c = ioc(`https://127.0.0.1:${port}`, {
      forceNew: true,
      reconnection: false,
      transports: ["websocket"],
      rejectUnauthorized: false,
    });
    try {
      const [socket] = await seen;
      expect(socket.handshake.secure).toBe(true);
    } finally {
      c.disconnect();
      await io.close();
    }
  });
});
