// node:cluster routing: a primary with three workers, each running the official socket.io server
// (tagged sids) or our own Server (nodeId from SWITCHYARD_NODE_ID).
import { Agent } from "node:http";
import { nodeTag, readSidTag } from "@switchyard/server";
import type { Socket as ClientSocket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type ClusterProcess, startCluster } from "./cluster-process.js";
import { connectClients, type NodeImpl } from "./nodes.js";
import { type Exchange, openSessionPerTag, raw, send, statusOf } from "./support/http-exchange.js";

interface Who {
  nodeId: string;
  pid: number;
}

const IMPLS: NodeImpl[] = ["socket.io", "@switchyard/server"];

const whoami = (socket: ClientSocket): Promise<Who> =>
  socket.timeout(5_000).emitWithAck("whoami") as Promise<Who>;

describe.each(IMPLS)("setupPrimary with three %s workers", (impl) => {
  let cluster: ClusterProcess;
  let url = "";
  const clients: ClientSocket[] = [];

  beforeAll(async () => {
    cluster = await startCluster(3, { IMPL: impl, HEADERS_TIMEOUT_MS: "400" });
    url = `http://127.0.0.1:${cluster.port}`;
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await cluster?.stop();
  });

  it("keeps 200 polling and websocket clients on the worker their sid names, across ack round trips", async () => {
    const sockets = await connectClients(url, 200, clients);
    const first = await Promise.all(sockets.map(whoami));
    sockets.forEach((socket, i) => {
      expect(readSidTag(socket.io.engine.id)).toBe(nodeTag(first[i]?.nodeId ?? ""));
    });
    expect(new Set(first.map((who) => who.nodeId)).size).toBe(3);
    const second = await Promise.all(sockets.map(whoami));
    expect(second).toEqual(first);
    expect(sockets.some((socket) => socket.io.engine.transport.name === "websocket")).toBe(true);
    // Later tests place new sessions by load: leave no 200-client skew behind.
    for (const socket of sockets) socket.close();
  });

  it("routes each request of one keep-alive connection to the worker of its own sid", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const byTag = await openSessionPerTag(url, agent);
      expect(byTag.size).toBe(3);
      const results: Exchange[] = [];
      for (const sid of byTag.values()) {
        const path = `/socket.io/?EIO=4&transport=polling&sid=${sid}`;
        results.push(await send(url, agent, "POST", path, "40"));
        results.push(await send(url, agent, "GET", path));
      }
      expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
      expect(results.filter((r) => r.body.startsWith("40{")).length).toBe(3);
      expect(new Set(results.map((r) => r.localPort)).size).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  it("streams a 600 KB binary payload through the primary over polling, intact", async () => {
    const [socket] = await connectClients(url, 1, clients);
    const payload = Buffer.alloc(600_000, 3);
    payload.writeUInt32BE(0xcafebabe, 400_000);
    const echoed = (await socket?.timeout(10_000).emitWithAck("echo", payload)) as Buffer;
    expect(Buffer.compare(Buffer.from(echoed), payload)).toBe(0);
  });

  it("answers unknown sid tags with 400 Session ID unknown, on polling and on upgrade", async () => {
    const sid = "ZZZZabcdefghijklmnop";
    const polling = await send(
      url,
      new Agent(),
      "GET",
      `/socket.io/?EIO=4&transport=polling&sid=${sid}`,
    );
    expect(polling.status).toBe(400);
    expect(JSON.parse(polling.body)).toEqual({ code: 1, message: "Session ID unknown" });
    const upgrade = await raw(cluster.port, [
      `GET /socket.io/?EIO=4&transport=websocket&sid=${sid} HTTP/1.1\r\nHost: x\r\n` +
        "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    ]);
    expect(statusOf(upgrade)).toBe(400);
  });

  it("answers garbage with 400, a 100 KB header with 431 and a slowloris head with 408", async () => {
    expect(statusOf(await raw(cluster.port, ["\u0001\u0002garbage\r\n\r\n"]))).toBe(400);
    const big = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(100_000)}\r\n\r\n`;
    expect(statusOf(await raw(cluster.port, [big]))).toBe(431);
    expect(statusOf(await raw(cluster.port, ["GET /whoami HTTP/1.1\r\nHost: x\r\nX-Slow: "]))).toBe(
      408,
    );
  });

  it("respawns a killed worker under the same node id while the other workers' clients keep working", async () => {
    const sockets = await connectClients(url, 9, clients);
    const owners = await Promise.all(sockets.map(whoami));
    const victim = owners[0] as Who;
    process.kill(victim.pid, "SIGKILL");

    const survivors = sockets.filter((_, i) => owners[i]?.nodeId !== victim.nodeId);
    const expected = owners.filter((who) => who.nodeId !== victim.nodeId);
    expect(survivors.length).toBeGreaterThan(0);
    expect(await Promise.all(survivors.map(whoami))).toEqual(expected);

    // Once respawned, least-connection sends new sessions to the empty worker.
    const reborn = await vi.waitFor(
      async () => {
        const fresh = await connectClients(url, 3, clients);
        const found = (await Promise.all(fresh.map(whoami))).find(
          (who) => who.nodeId === victim.nodeId,
        );
        if (found === undefined) throw new Error("not respawned yet");
        return found;
      },
      { timeout: 15_000, interval: 200 },
    );
    expect(reborn.pid).not.toBe(victim.pid);
  });

  it("stops every worker when the primary is stopped", async () => {
    const sockets = await connectClients(url, 6, clients);
    const pids = new Set((await Promise.all(sockets.map(whoami))).map((who) => who.pid));
    for (const socket of sockets) socket.close();
    await cluster.stop();
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(() => [...pids].filter(alive), { timeout: 5_000 }).toEqual([]);
  });
});
