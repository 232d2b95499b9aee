// Abuse limits of the server (issue 15): a socket flooding events is disconnected ("event rate
// limit exceeded") or has its events dropped, and one client address past its concurrent
// sessions or handshakes per second is answered 429 — while other clients and addresses are
// still served, and every refusal shows in /metrics.
import { request } from "node:http";
import { EVENT_RATE_LIMIT_REASON, type Socket } from "@switchyard/server";
import type { Socket as ClientSocket } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { rawUpgrade } from "../support/raw-upgrade.js";
import { connected, type Harness, startServer, waitFor } from "./harness.js";
import { openRawPeer } from "./raw-peer.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET from `localAddress` (another loopback address is another client address). */
function get(
  port: number,
  path: string,
  localAddress = "127.0.0.1",
  headers = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, localAddress, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.setTimeout(5000, () => req.destroy(new Error("no answer")));
    req.on("error", reject);
    req.end();
  });
}

const HANDSHAKE = "/socket.io/?EIO=4&transport=polling";

/** The sid of a polling handshake answered 200. */
async function handshake(port: number, localAddress?: string): Promise<string> {
  const res = await get(port, HANDSHAKE, localAddress);
  expect(res.status).toBe(200);
  return (JSON.parse(res.body.slice(1)) as { sid: string }).sid;
}

/** A bystander that answers `alive` acks. */
async function bystander(harness: Harness): Promise<ClientSocket> {
  const client = harness.client();
  await connected(client);
  return client;
}

const metrics = async (harness: Harness): Promise<string> =>
  (await get(harness.port, "/metrics")).body;

describe("eventRateLimit", () => {
  it("disconnects a flooding socket with its documented reason; another client is still served", async () => {
    h = await startServer({ eventRateLimit: { perSecond: 10, burst: 20 }, metrics: true });
    const reasons = new Map<string, string>();
    let spam = 0;
    h.io.on("connection", (socket: Socket) => {
      socket.on("spam", () => {
        spam++;
      });
      socket.on("alive", (ack: (v: string) => void) => ack("yes"));
      socket.on("disconnect", (reason) => reasons.set(socket.id, reason));
    });
    const other = await bystander(h);
    const flooder = h.client();
    await connected(flooder);
    const flooderId = flooder.id ?? "";
    const gone = waitFor<[string]>(flooder, "disconnect");
    for (let i = 0; i < 500; i++) flooder.emit("spam", i);
    // The official client hears a DISCONNECT: it reports a server disconnect, no reconnection.
    expect((await gone)[0]).toBe("io server disconnect");
    expect(reasons.get(flooderId)).toBe(EVENT_RATE_LIMIT_REASON);
    // The burst, and whatever the rate refilled meanwhile, passed: not the 500.
    expect(spam).toBeGreaterThanOrEqual(20);
    expect(spam).toBeLessThan(100);
    expect(await other.timeout(2000).emitWithAck("alive")).toBe("yes");
    expect(await metrics(h)).toContain(
      'switchyard_events_rate_limited_total{action="disconnected"} 1',
    );
  });

  it("answers a raw flood with a DISCONNECT packet for that namespace only", async () => {
    h = await startServer({ eventRateLimit: { perSecond: 1, burst: 3 } });
    h.io.of("/admin").on("connection", () => {});
    const peer = await openRawPeer(h.port);
    peer.send("40");
    expect(String(await peer.next())).toMatch(/^40\{"sid":/);
    peer.send("40/admin,");
    expect(String(await peer.next())).toMatch(/^40\/admin,\{"sid":/);
    for (let i = 0; i < 10; i++) peer.send(`42/admin,["spam",${i}]`);
    expect(await peer.next()).toBe("41/admin,");
    peer.close();
  });

  it("drops the events past the limit with onLimit: drop and keeps the socket", async () => {
    h = await startServer({
      eventRateLimit: { perSecond: 20, burst: 5, onLimit: "drop" },
      metrics: true,
    });
    let spam = 0;
    h.io.on("connection", (socket: Socket) => {
      socket.on("spam", () => {
        spam++;
      });
      socket.on("alive", (ack: (v: string) => void) => ack("yes"));
    });
    const client = h.client();
    await connected(client);
    for (let i = 0; i < 200; i++) client.emit("spam", i);
    // Dropped events take no token: an ack'd emit gets through as soon as one refills.
    let answer: unknown;
    for (let tries = 0; answer === undefined && tries < 50; tries++) {
      answer = await client
        .timeout(200)
        .emitWithAck("alive")
        .catch(() => undefined);
    }
    expect(answer).toBe("yes");
    expect(client.connected).toBe(true);
    expect(spam).toBeGreaterThanOrEqual(5);
    expect(spam).toBeLessThan(200);
    const text = await metrics(h);
    const dropped = Number(/events_rate_limited_total\{action="dropped"\} (\d+)/.exec(text)?.[1]);
    expect(dropped).toBeGreaterThanOrEqual(200 - spam);
  });

  it("is on by default (a 6,000-event burst is cut) and off with eventRateLimit: false", async () => {
    h = await startServer();
    const reason = new Promise<string>((resolve) => {
      h?.io.on("connection", (socket: Socket) => socket.on("disconnect", resolve));
    });
    const client = h.client();
    await connected(client);
    for (let i = 0; i < 6000; i++) client.emit("spam", i);
    expect(await reason).toBe(EVENT_RATE_LIMIT_REASON);
    await h.close();

    h = await startServer({ eventRateLimit: false });
    let spam = 0;
    h.io.on("connection", (socket: Socket) => {
      socket.on("spam", () => {
        spam++;
      });
      socket.on("alive", (ack: (v: string) => void) => ack("yes"));
    });
    const free = h.client();
    await connected(free);
    for (let i = 0; i < 6000; i++) free.emit("spam", i);
    expect(await free.timeout(10_000).emitWithAck("alive")).toBe("yes");
    expect(spam).toBe(6000);
  });
});

describe("addressLimits", () => {
  it("answers 429 to handshakes past the rate of one address, on polling and WebSocket; another address is served", async () => {
    h = await startServer({
      addressLimits: { handshakesPerSecond: 0.001, handshakeBurst: 3 },
      metrics: true,
    });
    for (let i = 0; i < 3; i++) await handshake(h.port);
    const refused = await get(h.port, HANDSHAKE);
    expect(refused.status).toBe(429);
    expect(refused.headers["retry-after"]).toBe("1");
    expect(JSON.parse(refused.body)).toEqual({
      code: 4,
      message: "Too many handshakes from this address",
    });
    const upgrade = await rawUpgrade(h.port);
    expect(upgrade).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n/);
    expect(upgrade).toContain("Too many handshakes from this address");
    // A forged X-Forwarded-For changes nothing without trustForwardedFor.
    const forged = await get(h.port, HANDSHAKE, "127.0.0.1", { "x-forwarded-for": "203.0.113.9" });
    expect(forged.status).toBe(429);
    await handshake(h.port, "127.0.0.2");
    const text = await metrics(h);
    expect(text).toContain('switchyard_handshakes_rate_limited_total{reason="handshake-rate"} 3');
    expect(text).toContain('switchyard_handshakes_rate_limited_total{reason="connections"} 0');
  });

  it("answers 429 past the concurrent sessions of one address, until one of them closes", async () => {
    h = await startServer({ addressLimits: { maxConnections: 2 } });
    const first = await handshake(h.port);
    await handshake(h.port);
    const refused = await get(h.port, HANDSHAKE);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body).message).toBe("Too many connections from this address");
    await handshake(h.port, "127.0.0.2");
    // The server closes the first session; its close packet goes out on the next poll.
    h.io.engine.clients[first]?.close();
    const poll = await get(h.port, `${HANDSHAKE}&sid=${first}`);
    expect(poll.body.split("\x1e")).toContain("1");
    expect(h.io.engine.addressLimiter?.connectionsOf("127.0.0.1")).toBe(1);
    await handshake(h.port);
    // The slot freed by the closed session was taken again: the next one is refused.
    expect((await get(h.port, HANDSHAKE)).status).toBe(429);
  });

  it("reads the client address from X-Forwarded-For behind a trusted proxy", async () => {
    h = await startServer({
      addressLimits: { maxConnections: 1, trustForwardedFor: true },
    });
    const via = (client: string) => ({ "x-forwarded-for": `198.51.100.1, ${client}` });
    expect((await get(h.port, HANDSHAKE, "127.0.0.1", via("203.0.113.1"))).status).toBe(200);
    expect((await get(h.port, HANDSHAKE, "127.0.0.1", via("203.0.113.1"))).status).toBe(429);
    expect((await get(h.port, HANDSHAKE, "127.0.0.1", via("203.0.113.2"))).status).toBe(200);
    // A malformed chain falls back to the peer address.
    const junk = { "x-forwarded-for": "not-an-ip" };
    expect((await get(h.port, HANDSHAKE, "127.0.0.1", junk)).status).toBe(200);
    expect((await get(h.port, HANDSHAKE, "127.0.0.1", junk)).status).toBe(429);
  });
});
