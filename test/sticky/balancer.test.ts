// The standalone balancer in front of three official socket.io nodes on loopback.
import { Agent } from "node:http";
import { connect as netConnect } from "node:net";
import { nodeTag, readSidTag } from "@switchyard/server";
import { type Balancer, createBalancer } from "@switchyard/sticky";
import type { Socket as ClientSocket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClients, type NodeImpl, startNode, type TestNode, whoami } from "./nodes.js";
import { type Exchange, openSessionPerTag, send } from "./support/http-exchange.js";

const IMPLS: NodeImpl[] = ["socket.io", "@switchyard/server"];

describe.each(IMPLS)("createBalancer in front of %s nodes", (impl) => {
  let nodes: TestNode[] = [];
  let balancer: Balancer;
  let url = "";
  const clients: ClientSocket[] = [];

  beforeAll(async () => {
    nodes = await Promise.all(
      ["alpha-1", "bravo-2", "charlie-3"].map((id) => startNode(id, 0, false, impl)),
    );
    balancer = createBalancer({
      port: 0,
      host: "127.0.0.1",
      upstreams: nodes.map((node) => ({ id: node.id, url: node.url })),
      healthCheck: { intervalMs: 200, timeoutMs: 500 },
    });
    const { port } = await balancer.listen();
    url = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await balancer?.close();
    await Promise.all(nodes.map((node) => node.stop()));
  });

  it("connects 200 official clients (half polling-only) whose acks come from the node their sid names", async () => {
    const sockets = await connectClients(url, 200, clients);
    const answers = await Promise.all(sockets.map((socket) => whoami(socket)));
    const seen = new Set<string>();
    sockets.forEach((socket, i) => {
      const owner = answers[i] ?? "";
      seen.add(owner);
      expect(readSidTag(socket.io.engine.id)).toBe(nodeTag(owner));
    });
    expect(seen.size).toBe(3);
    expect(sockets.some((socket) => socket.io.engine.transport.name === "websocket")).toBe(true);
    // A second round after the upgrades: still on the same nodes.
    const again = await Promise.all(sockets.map((socket) => whoami(socket)));
    expect(again).toEqual(answers);
    expect(nodes.flatMap((node) => node.connectionErrors)).toEqual([]);
    const stats = balancer.stats();
    expect(stats.unknownSid).toBe(0);
    expect(stats.upstreamErrors).toBe(0);
    for (const socket of sockets) socket.close();
  });

  it("routes each request of one keep-alive connection to the node of its own sid", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      // One new session per node (least-connections spreads them; a few extra tries absorb load).
      const byTag = await openSessionPerTag(url, agent);
      expect(byTag.size).toBe(3);
      const sids = [...byTag.values()];
      const exchanges: Exchange[] = [];
      for (const sid of sids) {
        exchanges.push(
          await send(url, agent, "POST", `/socket.io/?EIO=4&transport=polling&sid=${sid}`, "40"),
        );
      }
      for (const sid of sids) {
        exchanges.push(
          await send(url, agent, "GET", `/socket.io/?EIO=4&transport=polling&sid=${sid}`),
        );
      }
      expect(exchanges.map((e) => e.status)).toEqual(Array(6).fill(200));
      expect(exchanges.slice(3).every((e) => e.body.startsWith("40{"))).toBe(true);
      expect(new Set(exchanges.map((e) => e.localPort)).size).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  it("routes three pipelined requests of different nodes' sessions, sent in one write, each to its node", async () => {
    const agent = new Agent({ keepAlive: true });
    const byTag = await openSessionPerTag(url, agent);
    agent.destroy();
    expect(byTag.size).toBe(3);
    const pipelined = [...byTag.values()]
      .map(
        (sid) =>
          `POST /socket.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: x\r\n` +
          "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: 2\r\n\r\n40",
      )
      .join("");
    const text = await new Promise<string>((resolve, reject) => {
      const socket = netConnect(new URL(url).port as unknown as number, "127.0.0.1", () =>
        socket.write(pipelined),
      );
      const chunks: Buffer[] = [];
      socket.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        if (
          (
            Buffer.concat(chunks)
              .toString()
              .match(/\r\n\r\nok/g) ?? []
          ).length === 3
        )
          socket.destroy();
      });
      socket.on("error", reject);
      socket.on("close", () => resolve(Buffer.concat(chunks).toString()));
    });
    expect(text.match(/HTTP\/1\.1 200 OK/g)?.length).toBe(3);
    expect(text).not.toContain("Session ID unknown");
  });

  it("answers a sid whose tag names no upstream with 400 Session ID unknown", async () => {
    const agent = new Agent();
    const res = await send(
      url,
      agent,
      "GET",
      "/socket.io/?EIO=4&transport=polling&sid=ZZZZabcdefghijklmnop",
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ code: 1, message: "Session ID unknown" });
  });
});
