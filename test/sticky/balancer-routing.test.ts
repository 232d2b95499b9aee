// Balancer routing details: cookie fallback, consistent hashing, streamed bodies, refused upgrades
// and graceful drain.
import { Agent, request } from "node:http";
import { createSidGenerator } from "@switchyard/server";
import { type Balancer, createBalancer } from "@switchyard/sticky";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, startNode, type TestNode } from "./nodes.js";

let nodes: TestNode[] = [];
let balancer: Balancer;
let url = "";

beforeAll(async () => {
  nodes = await Promise.all(["hotel-1", "india-2", "juliet-3"].map((id) => startNode(id, 0, true)));
  balancer = createBalancer({
    port: 0,
    host: "127.0.0.1",
    upstreams: nodes.map((node) => ({ id: node.id, url: node.url })),
    healthCheck: false,
    cookie: "io",
    newSessions: "consistent-hash",
    drainTimeoutMs: 8_000,
  });
  url = `http://127.0.0.1:${(await balancer.listen()).port}`;
});

afterAll(async () => {
  await balancer?.close();
  await Promise.all(nodes.map((node) => node.stop()));
});

function get(path: string, headers: Record<string, string> = {}, agent: Agent | false = false) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${url}${path}`, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("balancer routing", () => {
  it("routes a request without a query sid by its io cookie to the node that minted it", async () => {
    for (const node of nodes) {
      const sid = createSidGenerator(node.id)();
      const res = await get("/echo", { cookie: `lang=en; io=${sid}` });
      expect(res.body).toBe(node.id);
    }
    expect(balancer.stats().routedByCookie).toBe(3);
  });

  it("places every new session of one client address on the same node with consistent hashing", async () => {
    const owners = new Set<string>();
    for (let i = 0; i < 6; i++) owners.add((await get("/echo")).body);
    expect(owners.size).toBe(1);
  });

  it("serves one session through two independent replicas, request by request", async () => {
    const replica = createBalancer({
      port: 0,
      host: "127.0.0.1",
      upstreams: nodes.map((node) => ({ id: node.id, url: node.url })),
      healthCheck: false,
    });
    const other = `http://127.0.0.1:${(await replica.listen()).port}`;
    try {
      const base = "/socket.io/?EIO=4&transport=polling";
      const open = await get(base);
      const { sid } = JSON.parse(open.body.slice(1)) as { sid: string };
      const posted = await new Promise<number>((resolve, reject) => {
        const req = request(
          `${other}${base}&sid=${sid}`,
          { method: "POST", agent: false },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        req.end("40");
      });
      expect(posted).toBe(200);
      expect((await get(`${base}&sid=${sid}`)).body.startsWith("40{")).toBe(true);
    } finally {
      await replica.close();
    }
  });

  it("streams a 600 KB binary payload through polling both ways intact", async () => {
    const socket = await connectClient(url, true);
    try {
      const payload = Buffer.alloc(600_000, 7);
      payload.writeUInt32BE(0xdeadbeef, 300_000);
      const echoed = (await socket.timeout(10_000).emitWithAck("echo", payload)) as Buffer;
      expect(Buffer.compare(Buffer.from(echoed), payload)).toBe(0);
    } finally {
      socket.close();
    }
  });

  it("relays an upstream's refusal of a WebSocket upgrade for a session it does not know", async () => {
    const sid = createSidGenerator("india-2")();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${url}/socket.io/?EIO=4&transport=websocket&sid=${sid}`, {
        agent: false,
        headers: {
          connection: "Upgrade",
          upgrade: "websocket",
          "sec-websocket-version": "13",
          "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("upgrade", (_res, socket) => {
        socket.destroy();
        resolve(101);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(400);
  });

  it("answers an in-flight long-poll with Connection: close while draining, then refuses connections", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const base = "/socket.io/?EIO=4&transport=polling";
    const open = await get(base, {}, agent);
    const { sid } = JSON.parse(open.body.slice(1)) as { sid: string };
    await new Promise<void>((resolve, reject) => {
      const req = request(`${url}${base}&sid=${sid}`, { agent, method: "POST" }, (res) => {
        res.resume();
        res.on("end", resolve);
      });
      req.on("error", reject);
      req.end("40");
    });
    expect((await get(`${base}&sid=${sid}`, {}, agent)).body.startsWith("40{")).toBe(true);
    // This GET waits for the next ping (pingInterval 5 s) while the balancer drains.
    const pending = new Promise<{ status: number; connection: string | undefined; body: string }>(
      (resolve, reject) => {
        const req = request(`${url}${base}&sid=${sid}`, { agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              connection: res.headers.connection,
              body: Buffer.concat(chunks).toString(),
            }),
          );
        });
        req.on("error", reject);
        req.end();
      },
    );
    await expect.poll(() => balancer.stats().upstreams.some((u) => u.inFlight > 0)).toBe(true);
    await balancer.close();
    const answered = await pending;
    expect(answered).toEqual({ status: 200, connection: "close", body: "2" });
    agent.destroy();
    await expect(get("/echo")).rejects.toThrow(/ECONNREFUSED/);
  });
});
