// DEBUG=switchyard:* (issue 15): the `debug` loggers of each layer tell the story of a connection,
// its upgrade, a broadcast and a cluster request; with debug off, nothing is written.
import { format } from "node:util";
import { InProcessBus } from "@switchyard/server";
import createDebug from "debug";
import { type Socket as ClientSocket, io as connect } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { type Node, startNode } from "./ops-support.js";

const nodes: Node[] = [];
const clients: ClientSocket[] = [];
const originalLog = createDebug.log;
const lines: string[] = [];

/** Captures every line the `debug` loggers of the given namespaces print, without colours. */
function capture(namespaces: string): void {
  lines.length = 0;
  createDebug.log = (...args: unknown[]) => {
    lines.push(format(...args));
  };
  createDebug.enable(namespaces);
}

afterEach(async () => {
  createDebug.disable();
  createDebug.log = originalLog;
  for (const client of clients.splice(0)) client.disconnect();
  await Promise.all(nodes.splice(0).map((node) => node.io.close()));
});

/** The captured lines of one namespace, e.g. `switchyard:engine`. */
const of = (namespace: string): string[] => lines.filter((line) => line.includes(`${namespace} `));

function expectLine(namespace: string, pattern: RegExp): void {
  const found = of(namespace).some((line) => pattern.test(line));
  if (!found) throw new Error(`no ${namespace} line matches ${pattern}:\n${lines.join("\n")}`);
}

describe("debug logs", () => {
  it("tell a connection, its upgrade, a broadcast and a cluster request, layer by layer", async () => {
    capture("switchyard:*");
    const bus = new InProcessBus();
    const a = await startNode({ adapter: bus.adapter() });
    const b = await startNode({ adapter: bus.adapter() });
    nodes.push(a, b);
    // The client starts on polling and upgrades to WebSocket.
    const client = connect(a.url, { reconnection: false, forceNew: true });
    clients.push(client);
    await new Promise<void>((resolve) => client.once("connect", () => resolve()));
    await new Promise<void>((resolve) => {
      if (client.io.engine.transport.name === "websocket") resolve();
      else client.io.engine.once("upgrade", () => resolve());
    });
    const got = new Promise<void>((resolve) => client.once("hello", () => resolve()));
    a.io.emit("hello", 1);
    await got;
    const remote = await b.io.fetchSockets();
    expect(remote.map((socket) => socket.id)).toEqual([client.id]);
    const sid = client.io.engine.id;
    const id = client.id ?? "";
    client.disconnect();
    await new Promise<void>((resolve) => {
      for (const socket of a.io.sockets.sockets.values())
        socket.once("disconnect", () => resolve());
    });

    expectLine("switchyard:engine", new RegExp(`handshake: session ${sid} opened over polling`));
    expectLine("switchyard:transport", /polling GET \/socket\.io\/\?EIO=4&transport=polling/);
    expectLine("switchyard:transport", new RegExp(`session ${sid}: websocket opened, probing`));
    expectLine("switchyard:engine", new RegExp(`session ${sid} upgrading to websocket`));
    expectLine(
      "switchyard:engine",
      new RegExp(`session ${sid} upgraded from polling to websocket`),
    );
    expectLine("switchyard:socket", new RegExp(`session ${sid}: socket ${id} connected to /`));
    expectLine("switchyard:adapter", /broadcast \/ 'hello' to all: 1 local sockets/);
    expectLine("switchyard:cluster", /publishes BROADCAST to all nodes/);
    expectLine("switchyard:cluster", /publishes FETCH_SOCKETS to all nodes/);
    expectLine("switchyard:cluster", /received FETCH_SOCKETS from /);
    expectLine("switchyard:cluster", /received FETCH_SOCKETS_RESPONSE from /);
    expectLine("switchyard:cluster", /request \S+ waits for 1 nodes/);
    expectLine("switchyard:cluster", /request \S+ complete: 1 responses/);
    expectLine("switchyard:socket", new RegExp(`socket ${id} left /: client namespace disconnect`));
  });

  it("says why a handshake was refused and why a socket was disconnected for flooding", async () => {
    capture("switchyard:engine,switchyard:socket");
    const node = await startNode({
      eventRateLimit: { perSecond: 1, burst: 2 },
      addressLimits: { maxConnections: 1 },
    });
    nodes.push(node);
    const client = connect(node.url, { transports: ["websocket"], reconnection: false });
    clients.push(client);
    await new Promise<void>((resolve) => client.once("connect", () => resolve()));
    const refused = await fetch(`${node.url}/socket.io/?EIO=4&transport=polling`);
    expect(refused.status).toBe(429);
    const gone = new Promise<void>((resolve) => client.once("disconnect", () => resolve()));
    for (let i = 0; i < 10; i++) client.emit("spam", i);
    await gone;
    expectLine("switchyard:engine", /refused GET \/socket\.io\/\S+: code 4 TOO_MANY_CONNECTIONS/);
    expectLine("switchyard:socket", /over eventRateLimit: disconnected/);
    expectLine("switchyard:socket", /left \/: event rate limit exceeded/);
    expect(of("switchyard:cluster")).toEqual([]);
  });

  it("writes nothing when debug is off", async () => {
    capture("");
    const node = await startNode({});
    nodes.push(node);
    const client = connect(node.url, { reconnection: false, forceNew: true });
    clients.push(client);
    await new Promise<void>((resolve) => client.once("connect", () => resolve()));
    const got = new Promise<void>((resolve) => client.once("hello", () => resolve()));
    node.io.emit("hello");
    await got;
    expect(lines).toEqual([]);
  });
});
