// Graceful shutdown of @switchyard/server (issue 9): the official socket.io-client sees a
// transport close (not "io server disconnect"), so it reconnects — here to another node that
// took over the address; adapters announce ADAPTER_CLOSE to their peers.
import type { AddressInfo } from "node:net";
import {
  type AdapterNamespace,
  InProcessAdapter,
  InProcessBus,
  MessageType,
} from "@switchyard/server";
import { type Socket as ClientSocket, io as connect } from "socket.io-client";
import { afterAll, describe, expect, it } from "vitest";
import { get, type Node, startNode, until } from "./ops-support.js";

const nodes: Node[] = [];
const clients: ClientSocket[] = [];
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await Promise.all(nodes.map((node) => node.io.close()));
});

async function startNodeOn(port: number, options: Parameters<typeof startNode>[0]): Promise<Node> {
  const { createServer } = await import("node:http");
  const { Server } = await import("@switchyard/server");
  const http = createServer();
  const io = new Server(http, options);
  await new Promise<void>((resolve) => http.listen(port, "127.0.0.1", resolve));
  return { io, http, url: `http://127.0.0.1:${port}` };
}

describe.each(["websocket", "polling"] as const)("graceful shutdown (%s)", (transport) => {
  it("closes clients with a transport close; they reconnect to the next node", async () => {
    const a = await startNode({ health: true });
    nodes.push(a);
    const port = (a.http.address() as AddressInfo).port;
    const client = connect(a.url, {
      transports: [transport],
      reconnectionDelay: 50,
      reconnectionDelayMax: 100,
      randomizationFactor: 0,
    });
    clients.push(client);
    await new Promise<void>((resolve) => client.once("connect", () => resolve()));
    const reasons: string[] = [];
    client.on("disconnect", (reason) => reasons.push(reason));

    expect(await a.io.shutdown({ timeoutMs: 3000 })).toBe(true);
    await until(() => reasons.length > 0);
    // Never "io server disconnect" (which stops official clients from reconnecting). A
    // WebSocket sees its close frame; a long-polling client may instead see its pending GET end
    // without a close packet ("transport error"): both reasons reconnect.
    if (transport === "websocket") expect(reasons).toEqual(["transport close"]);
    else expect(["transport close", "transport error"]).toContain(reasons[0]);
    expect(client.active).toBe(true);

    // Another node takes over the address (as behind a balancer); the client lands there.
    const b = await startNodeOn(port, { health: true });
    nodes.push(b);
    const landed = new Promise<void>((resolve) => b.io.once("connection", () => resolve()));
    await landed;
    await until(() => client.connected);
    expect((await get(`${b.url}/readyz`)).status).toBe(200);
  });
});

describe("shutdown", () => {
  it("announces ADAPTER_CLOSE to the other nodes and is idempotent", async () => {
    const bus = new InProcessBus();
    const adapter = (nsp: AdapterNamespace): InProcessAdapter => new InProcessAdapter(nsp, bus);
    const a = await startNode({ adapter });
    const b = await startNode({ adapter });
    nodes.push(a, b);
    const peer = b.io.of("/").adapter as InProcessAdapter;
    const closes = (): number => peer.counters.receivedByType[MessageType.ADAPTER_CLOSE] ?? 0;
    const first = a.io.shutdown({ timeoutMs: 2000 });
    expect(a.io.shutdown()).toBe(first);
    expect(a.io.ready).toBe(false);
    expect(await first).toBe(true);
    await until(() => closes() === 1);
  });

  it("is bounded: connections still open after timeoutMs are destroyed", async () => {
    const a = await startNode({});
    nodes.push(a);
    // An application request that is never answered keeps the HTTP server from closing.
    a.http.removeAllListeners("request");
    a.http.on("request", () => {});
    const hanging = fetch(`${a.url}/slow`, { signal: AbortSignal.timeout(5000) }).then(
      () => "answered",
      () => "failed",
    );
    await until(() => a.http.listenerCount("request") > 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const start = Date.now();
    expect(await a.io.shutdown({ timeoutMs: 300 })).toBe(false);
    expect(Date.now() - start).toBeLessThan(1500);
    expect(await hanging).toBe("failed");
  });

  it("shutdownOnSignal runs the shutdown on the signal (exit: false)", async () => {
    const a = await startNode({
      health: true,
      shutdownOnSignal: { signals: ["SIGUSR2"], exit: false, timeoutMs: 2000 },
    });
    nodes.push(a);
    expect(process.listenerCount("SIGUSR2")).toBeGreaterThan(0);
    process.emit("SIGUSR2", "SIGUSR2");
    expect(a.io.ready).toBe(false);
    await until(() => !a.http.listening);
  });
});
