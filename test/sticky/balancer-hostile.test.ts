// Hostile input against the balancer: every request gets a bounded answer and the balancer keeps
// serving real clients afterwards.
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { type Balancer, createBalancer } from "@switchyard/sticky";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, startNode, type TestNode, whoami } from "./nodes.js";
import { raw, statusOf } from "./support/http-exchange.js";

let node: TestNode;
let balancer: Balancer;
let port = 0;

beforeAll(async () => {
  node = await startNode("golf-1");
  balancer = createBalancer({
    port: 0,
    host: "127.0.0.1",
    upstreams: [{ id: node.id, url: node.url }],
    healthCheck: false,
    limits: { headersTimeoutMs: 300, requestTimeoutMs: 2_000 },
  });
  port = (await balancer.listen()).port;
});

afterAll(async () => {
  await balancer?.close();
  await node?.stop();
});

describe("balancer hostile input", () => {
  it("answers random bytes with 400 and closes", async () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    expect(statusOf(await raw(port, [bytes]))).toBe(400);
  });

  it("gives 40 random byte strings, split at random points, each a 4xx answer or a close", async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const bytes = randomBytes(1 + ((i * 97) % 2_000));
      const cut = (i * 31) % bytes.length;
      const response = await raw(port, [bytes.subarray(0, cut), bytes.subarray(cut)]);
      statuses.add(response === "" ? 0 : statusOf(response));
    }
    for (const status of statuses) expect([0, 400, 408, 431]).toContain(status);
  });

  it("answers malformed request lines with 400", async () => {
    for (const line of [
      "GET\r\n\r\n",
      "GET / HTTP/9.9\r\n\r\n",
      "G@T / HTTP/1.1\r\n\r\n",
      "GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n",
    ]) {
      expect(statusOf(await raw(port, [line]))).toBe(400);
    }
  });

  it("answers a 100 KB header with 431", async () => {
    const big = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(100_000)}\r\n\r\n`;
    expect(statusOf(await raw(port, [big]))).toBe(431);
  });

  it("cuts a never-ending header flood after the limit instead of reading it all", async () => {
    const socket = connect(port, "127.0.0.1");
    const received: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    socket.on("error", () => undefined);
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    await new Promise<void>((resolve) => socket.on("connect", resolve));
    const line = Buffer.from(`X-Flood: ${"f".repeat(1_000)}\r\n`);
    let sent = socket.write("GET / HTTP/1.1\r\nHost: x\r\n") ? 0 : 0;
    let open = true;
    void closed.then(() => {
      open = false;
    });
    // Up to 20 MB, waiting for drain: the balancer must close long before.
    while (open && sent < 20_000_000) {
      if (!socket.write(line))
        await new Promise((resolve) => socket.once("drain", resolve).once("close", resolve));
      sent += line.length;
    }
    await closed;
    expect(sent).toBeLessThan(20_000_000);
    expect(statusOf(Buffer.concat(received).toString("latin1"))).toBe(431);
  });

  it("answers more than 100 header fields with 431", async () => {
    const fields = Array.from({ length: 120 }, (_, i) => `X-F${i}: v\r\n`).join("");
    expect(statusOf(await raw(port, [`GET /echo HTTP/1.1\r\nHost: x\r\n${fields}\r\n`]))).toBe(431);
  });

  it("answers a slowloris head that never completes with 408 and closes it", async () => {
    const response = await raw(port, ["GET /echo HTTP/1.1\r\nHost: x\r\nX-Slow: "], 3_000);
    expect(statusOf(response)).toBe(408);
  });

  it("replaces a malformed X-Forwarded-For and keeps a valid one, appending the peer", async () => {
    const ask = (xff: string): Promise<string> =>
      raw(port, [
        `GET /echo HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: ${xff}\r\nConnection: close\r\n\r\n`,
      ]);
    expect(statusOf(await ask("not-an-ip, <script>"))).toBe(200);
    expect(statusOf(await ask("203.0.113.9"))).toBe(200);
    expect(node.forwardedFor.slice(-2)).toEqual(["127.0.0.1", "203.0.113.9, 127.0.0.1"]);
  });

  it("answers an unknown sid tag with 400 Session ID unknown, on polling and on upgrade", async () => {
    const target = "/socket.io/?EIO=4&transport=polling&sid=QQQQabcdefghijklmnop";
    const polling = await raw(port, [
      `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    ]);
    expect(statusOf(polling)).toBe(400);
    expect(polling).toContain('{"code":1,"message":"Session ID unknown"}');
    const upgrade = await raw(port, [
      `GET ${target.replace("polling", "websocket")} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    ]);
    expect(statusOf(upgrade)).toBe(400);
  });

  it("closes a connection that pipelines more than 16 requests and leaks no in-flight count", async () => {
    const one = "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n";
    const response = await raw(port, [one.repeat(200)]);
    expect(response.match(/HTTP\/1\.1 200/g)?.length ?? 0).toBeLessThanOrEqual(16);
    expect(balancer.stats().tooManyPipelined).toBeGreaterThan(0);
    await expect.poll(() => balancer.stats().upstreams[0]?.inFlight).toBe(0);
  });

  it("ends every exchange of pipelined requests whose client hangs up early", async () => {
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => undefined);
    await new Promise<void>((resolve) => socket.on("connect", resolve));
    socket.end("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n".repeat(5));
    await new Promise((resolve) => socket.on("close", resolve));
    await expect.poll(() => balancer.stats().upstreams[0]?.inFlight).toBe(0);
  });

  it("still serves a real client after all of the above", async () => {
    const socket = await connectClient(`http://127.0.0.1:${port}`, true);
    try {
      expect(await whoami(socket)).toBe(node.id);
    } finally {
      socket.close();
    }
    expect(balancer.stats().clientErrors).toBeGreaterThan(0);
  });
});
