// /metrics of @switchyard/server (issue 9): Prometheus text on a per-server registry whose
// counters follow connections, packets, broadcasts and unknown-sid polling requests.
import { type AdapterNamespace, InProcessAdapter, InProcessBus } from "@switchyard/server";
import { type Socket as ClientSocket, io as connect } from "socket.io-client";
import { afterAll, describe, expect, it } from "vitest";
import { closeCodeOf, parseServerFrames, rawUpgrade } from "../engine/support/raw-ws-client.js";
import { encodeClientFrame } from "../engine/support/ws-client-frames.js";
import { get, type Node, sample, startNode, until } from "./ops-support.js";

const nodes: Node[] = [];
const clients: ClientSocket[] = [];
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await Promise.all(nodes.map((node) => node.io.close()));
});

async function scrape(node: Node): Promise<string> {
  const res = await get(`${node.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.type).toContain("text/plain");
  return res.body;
}

/** Every non-comment line is `name{labels} value` with a numeric value (text format 0.0.4). */
function expectPrometheusText(text: string): void {
  const lines = text.split("\n").filter((line) => line !== "");
  expect(lines.length).toBeGreaterThan(10);
  for (const line of lines) {
    if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
    expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.e+]+|NaN$/);
  }
}

describe("metrics endpoint", () => {
  it("parses as Prometheus text and moves with connect, emit, broadcast, disconnect", async () => {
    const node = await startNode({ metrics: true });
    nodes.push(node);
    node.io.on("connection", (socket) => {
      socket.on("ping-me", (n: number) => {
        socket.emit("pong-you", n);
        node.io.emit("everyone", n);
      });
    });
    const before = await scrape(node);
    expectPrometheusText(before);
    expect(sample(before, "switchyard_sockets_connected")).toBe(0);
    expect(sample(before, "switchyard_namespaces")).toBe(1);
    expect(sample(before, "switchyard_ready")).toBe(1);

    const client = connect(node.url, { transports: ["websocket"], reconnection: false });
    clients.push(client);
    await new Promise<void>((resolve) => client.once("connect", () => resolve()));
    const got = new Promise<void>((resolve) => client.once("everyone", () => resolve()));
    client.emit("ping-me", 1);
    await got;
    const during = await scrape(node);
    expect(sample(during, "switchyard_sockets_connected")).toBe(1);
    expect(sample(during, "switchyard_engine_clients")).toBe(1);
    expect(sample(during, "switchyard_connections_total")).toBe(1);
    expect(sample(during, "switchyard_packets_received_total")).toBeGreaterThanOrEqual(2);
    expect(sample(during, "switchyard_packets_sent_total")).toBeGreaterThanOrEqual(3);
    expect(sample(during, "switchyard_broadcasts_total")).toBe(1);
    expect(sample(during, "switchyard_broadcast_fanout_total")).toBe(1);

    client.disconnect();
    await until(async () => sample(await scrape(node), "switchyard_sockets_connected") === 0);
    const after = await scrape(node);
    expect(sample(after, "switchyard_disconnections_total")).toBe(1);
  });

  it("keeps counting broadcasts after io.adapter(…) replaces the namespaces' adapters", async () => {
    const node = await startNode({ metrics: true });
    nodes.push(node);
    const bus = new InProcessBus();
    node.io.adapter(bus.adapter());
    expect(node.io.of("/").adapter).toBeInstanceOf(InProcessAdapter);
    const client = connect(node.url, { transports: ["websocket"], reconnection: false });
    clients.push(client);
    await new Promise<void>((resolve) => client.once("connect", () => resolve()));
    const got = new Promise<void>((resolve) => client.once("everyone", () => resolve()));
    node.io.emit("everyone");
    await got;
    node.io.timeout(1000).emit("everyone-ack");
    const text = await scrape(node);
    expect(sample(text, "switchyard_broadcasts_total")).toBe(2);
    expect(sample(text, "switchyard_broadcast_fanout_total")).toBe(2);
  });

  it("counts polling requests answered 400 for an unknown sid", async () => {
    const node = await startNode({ metrics: { prefix: "sy_", path: "/m" } });
    nodes.push(node);
    const res = await get(`${node.url}/socket.io/?EIO=4&transport=polling&sid=nope`);
    expect(res.status).toBe(400);
    const text = (await get(`${node.url}/m`)).body;
    expect(sample(text, "sy_polling_unknown_sid_total")).toBe(1);
    expect(sample(text, "sy_engine_connection_errors_total")).toBe(1);
  });

  it("counts WebSocket connections failed for breaking RFC 6455 framing", async () => {
    const node = await startNode({ metrics: true, maxWebSocketFragments: 2 });
    nodes.push(node);
    const port = Number(new URL(node.url).port);
    const client = await rawUpgrade(port, "/socket.io/?EIO=4&transport=websocket");
    const frames = [true, false, false].map((first) =>
      encodeClientFrame({ opcode: first ? 1 : 0, fin: false, payload: Buffer.from("4") }),
    );
    client.socket.write(Buffer.concat(frames));
    const wire = await client.closed();
    expect(closeCodeOf(parseServerFrames(wire).at(-1))).toBe(1008);
    await until(
      async () => sample(await scrape(node), "switchyard_websocket_protocol_errors_total") === 1,
    );
  });

  it("keeps one registry per server (two servers in one process do not collide)", async () => {
    const a = await startNode({ metrics: true });
    const b = await startNode({ metrics: true });
    nodes.push(a, b);
    expect(a.io.metrics?.registry).not.toBe(b.io.metrics?.registry);
    await get(`${a.url}/socket.io/?EIO=4&transport=polling&sid=nope`);
    expect(sample(await scrape(a), "switchyard_polling_unknown_sid_total")).toBe(1);
    expect(sample(await scrape(b), "switchyard_polling_unknown_sid_total")).toBe(0);
  });

  it("reads the bus counters of cluster adapters at scrape time", async () => {
    const bus = new InProcessBus();
    const adapter = (nsp: AdapterNamespace): InProcessAdapter => new InProcessAdapter(nsp, bus);
    const a = await startNode({ metrics: true, adapter });
    const b = await startNode({ metrics: true, adapter });
    nodes.push(a, b);
    await until(async () => sample(await scrape(b), "switchyard_bus_received_total") > 0);
    a.io.serverSideEmit("hello");
    await until(async () => sample(await scrape(b), "switchyard_bus_received_total") >= 2);
    const text = await scrape(a);
    expect(sample(text, "switchyard_bus_published_total")).toBeGreaterThanOrEqual(2);
    expect(sample(text, "switchyard_bus_publish_errors_total")).toBe(0);
    expect(sample(text, "switchyard_bus_dropped_total")).toBe(0);
    expect(sample(text, "switchyard_cluster_request_timeouts_total")).toBe(0);
  });

  it("counts connection state recovery hits and misses", async () => {
    const node = await startNode({ metrics: true, connectionStateRecovery: {} });
    nodes.push(node);
    const client = connect(node.url, {
      transports: ["websocket"],
      reconnectionDelay: 20,
      randomizationFactor: 0,
    });
    clients.push(client);
    await new Promise<void>((resolve) => client.once("connect", () => resolve()));
    // The client sends its offset back only once it received an event.
    const got = new Promise<void>((resolve) => client.once("tick", () => resolve()));
    node.io.emit("tick");
    await got;
    // A transport close is recoverable: the client comes back with its pid and offset.
    for (const socket of node.io.sockets.sockets.values()) socket.conn.close();
    await until(() => client.recovered);
    const stranger = connect(node.url, {
      transports: ["websocket"],
      reconnection: false,
      auth: { pid: "unknown-pid", offset: "0" },
    });
    clients.push(stranger);
    await new Promise<void>((resolve) => stranger.once("connect", () => resolve()));
    const text = await scrape(node);
    expect(sample(text, "switchyard_recovery_hits_total")).toBe(1);
    expect(sample(text, 'switchyard_recovery_misses_total{reason="session"}')).toBe(1);
    expect(sample(text, "switchyard_recovery_replayed_events_total")).toBe(0);
  });

  it("counts recoveries across nodes: replayed events, misses by reason", async () => {
    const bus = new InProcessBus();
    const options = { metrics: true, connectionStateRecovery: {}, adapter: bus.adapter() };
    const [a, b] = [await startNode(options), await startNode(options)];
    nodes.push(a, b);
    await until(async () => (await a.io.of("/").adapter.serverCount()) === 2);
    const client = connect(a.url, { transports: ["websocket"], reconnection: false });
    clients.push(client);
    await new Promise<void>((resolve) => client.once("connect", () => resolve()));
    const got = new Promise<void>((resolve) => client.once("tick", () => resolve()));
    b.io.emit("tick");
    await got;
    const gone = new Promise<void>((resolve) => {
      for (const socket of a.io.sockets.sockets.values())
        socket.once("disconnect", () => resolve());
    });
    client.io.engine.close();
    await gone;
    for (let n = 0; n < 3; n++) a.io.emit("missed", n);
    // Comes back through the other node (as behind a balancer) with its pid and offset.
    (client.io as unknown as { uri: string }).uri = b.url;
    client.connect();
    await until(() => client.recovered);
    const forged = connect(b.url, {
      transports: ["websocket"],
      reconnection: false,
      auth: { pid: (client as unknown as { _pid: string })._pid, offset: "forged" },
    });
    clients.push(forged);
    await new Promise<void>((resolve) => forged.once("connect", () => resolve()));
    const text = await scrape(b);
    expect(sample(text, "switchyard_recovery_hits_total")).toBe(1);
    expect(sample(text, "switchyard_recovery_replayed_events_total")).toBe(3);
    expect(sample(text, 'switchyard_recovery_misses_total{reason="offset"}')).toBe(1);
  });
});
