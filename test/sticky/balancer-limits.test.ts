// Per client address limits at the balancer (issue 15): new sessions per second and connections
// (requests in flight, open tunnels) of one address are answered 429, other addresses are still
// served, and X-Forwarded-For is read only behind a trusted proxy.
import { type ClientRequest, request } from "node:http";
import { format } from "node:util";
import { type Balancer, type BalancerOptions, createBalancer } from "@switchyard/sticky";
import createDebug from "debug";
import { io as connect } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { rawUpgrade } from "../support/raw-upgrade.js";
import { startNode, type TestNode } from "./nodes.js";

let node: TestNode;
let balancer: Balancer | undefined;

beforeAll(async () => {
  node = await startNode("limits-1");
});
afterEach(async () => {
  await balancer?.close();
  balancer = undefined;
});
afterAll(async () => {
  await node?.stop();
});

async function start(options: Partial<BalancerOptions>): Promise<number> {
  balancer = createBalancer({
    port: 0,
    host: "127.0.0.1",
    upstreams: [{ id: node.id, url: node.url }],
    healthCheck: false,
    ...options,
  });
  return (await balancer.listen()).port;
}

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: string;
}

/** A GET through the balancer from `localAddress`; `hold` keeps the request (a pending poll). */
function get(
  port: number,
  path: string,
  options: { localAddress?: string; headers?: Record<string, string>; hold?: ClientRequest[] } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        agent: false,
        localAddress: options.localAddress ?? "127.0.0.1",
        headers: options.headers ?? {},
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => {
          const retryAfter = res.headers["retry-after"];
          resolve({ status: res.statusCode ?? 0, retryAfter, body });
        });
      },
    );
    options.hold?.push(req);
    req.setTimeout(10_000, () => req.destroy(new Error("no answer")));
    req.on("error", reject);
    req.end();
  });
}

const HANDSHAKE = "/socket.io/?EIO=4&transport=polling";

/** A polling POST of `body` through the balancer; resolves with the status. */
function postTo(port: number, path: string, body: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const headers = { "content-type": "text/plain;charset=UTF-8" };
    const req = request(
      { host: "127.0.0.1", port, method: "POST", path, agent: false, headers },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const sidOf = (answer: Answer): string => (JSON.parse(answer.body.slice(1)) as { sid: string }).sid;

describe("balancer addressLimits", () => {
  it("answers 429 to new sessions past the rate of one address; its sessions and other addresses go on", async () => {
    const port = await start({ addressLimits: { handshakesPerSecond: 0.001, handshakeBurst: 2 } });
    const first = await get(port, HANDSHAKE);
    expect(first.status).toBe(200);
    expect((await get(port, HANDSHAKE)).status).toBe(200);
    const refused = await get(port, HANDSHAKE);
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe("1");
    expect(JSON.parse(refused.body)).toEqual({
      code: 4,
      message: "Too many handshakes from this address",
    });
    expect(await rawUpgrade(port)).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n/);
    // A request of an existing session is no handshake: still routed.
    const post = await postTo(port, `${HANDSHAKE}&sid=${sidOf(first)}`, "40");
    expect(post).toBe(200);
    // A forged X-Forwarded-For does not help while the balancer does not trust it.
    const forged = { headers: { "x-forwarded-for": "203.0.113.5" } };
    expect((await get(port, HANDSHAKE, forged)).status).toBe(429);
    expect((await get(port, HANDSHAKE, { localAddress: "127.0.0.2" })).status).toBe(200);
    expect(balancer?.stats().addressRefusals).toEqual({ connections: 0, "handshake-rate": 3 });
  });

  it("counts pending polls and open tunnels per address, read from X-Forwarded-For when trusted", async () => {
    const port = await start({ trustForwardedFor: true, addressLimits: { maxConnections: 1 } });
    const from = (address: string) => ({ headers: { "x-forwarded-for": address } });
    const open = await get(port, HANDSHAKE, from("198.51.100.7"));
    expect(open.status).toBe(200);
    // A long poll waits for data: one connection of 198.51.100.7 in flight.
    const held: ClientRequest[] = [];
    const poll = get(port, `${HANDSHAKE}&sid=${sidOf(open)}`, {
      ...from("198.51.100.7"),
      hold: held,
    });
    await expect.poll(() => balancer?.stats().upstreams[0]?.inFlight).toBe(1);
    const refused = await get(port, HANDSHAKE, from("198.51.100.7"));
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body).message).toBe("Too many connections from this address");
    expect((await get(port, HANDSHAKE, from("198.51.100.8"))).status).toBe(200);
    for (const req of held) req.destroy();
    await poll.catch(() => undefined);
    await expect.poll(() => balancer?.stats().upstreams[0]?.inFlight).toBe(0);
    expect((await get(port, HANDSHAKE, from("198.51.100.7"))).status).toBe(200);

    // An open WebSocket tunnel counts until it closes.
    const client = connect(`http://127.0.0.1:${port}`, {
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      extraHeaders: { "x-forwarded-for": "198.51.100.9" },
    });
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("connect_error", reject);
    });
    expect((await get(port, HANDSHAKE, from("198.51.100.9"))).status).toBe(429);
    client.close();
    await expect
      .poll(async () => (await get(port, HANDSHAKE, from("198.51.100.9"))).status)
      .toBe(200);
  });

  it("logs each route and each refusal under DEBUG=switchyard:sticky", async () => {
    const lines: string[] = [];
    const original = createDebug.log;
    createDebug.log = (...args: unknown[]) => {
      lines.push(format(...args));
    };
    createDebug.enable("switchyard:sticky");
    try {
      const port = await start({
        addressLimits: { handshakesPerSecond: 0.001, handshakeBurst: 1 },
      });
      const open = await get(port, HANDSHAKE);
      expect(await postTo(port, `${HANDSHAKE}&sid=${sidOf(open)}`, "40")).toBe(200);
      expect((await get(port, HANDSHAKE)).status).toBe(429);
    } finally {
      createDebug.disable();
      createDebug.log = original;
    }
    const text = lines.join("\n");
    expect(text).toMatch(
      /switchyard:sticky route GET \/socket\.io\/\?EIO=4&transport=polling → limits-1 by new/,
    );
    expect(text).toMatch(/switchyard:sticky route POST \S+&sid=\S+ → limits-1 by sid/);
    expect(text).toMatch(/switchyard:sticky 429 GET \S+ from 127\.0\.0\.1: handshake-rate/);
  });
});
