// The socket.io internals we expose for official adapters and admin-ui (compat/official-adapter.ts):
// what they do, that socket.io-adapter's own classes run on them, and that switchyard's adapters
// never touch them.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { InProcessBus, Server, type ServerOptions, type Socket } from "@switchyard/server";
import { waitFor, waitUntil } from "@switchyard/server/testing";
import {
  Adapter as OfficialAdapter,
  SessionAwareAdapter as OfficialSessionAware,
} from "socket.io-adapter";
import { type Socket as ClientSocket, io as ioc } from "socket.io-client";
import { afterEach, describe, expect, it, type MockInstance, vi } from "vitest";

const servers: Server[] = [];
const clients: ClientSocket[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const client of clients.splice(0)) client.disconnect();
  await Promise.all(servers.splice(0).map((io) => io.close()));
});

async function start(options: ServerOptions): Promise<{ io: Server; url: string }> {
  const http = createServer();
  const io = new Server(http, options);
  servers.push(io);
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  return { io, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

/** A client answering `ask` with `[value, its id]`, and its server-side socket. */
async function connect(
  io: Server,
  url: string,
  rooms: string[] = [],
): Promise<{ client: ClientSocket; socket: Socket; got: unknown[] }> {
  const client = ioc(url, { forceNew: true, reconnection: false, transports: ["websocket"] });
  clients.push(client);
  const got: unknown[] = [];
  client.on("msg", (value: unknown) => got.push(value));
  client.on("ask", (value: unknown, ack: (answer: unknown) => void) => ack([value, client.id]));
  const [[socket]] = await Promise.all([
    waitFor<[Socket]>(io, "connection"),
    waitFor(client, "connect"),
  ]);
  for (const room of rooms) await socket.join(room);
  return { client, socket, got };
}

/** Spies on every drop-in internal, through the prototypes of live objects. */
function spyOnInternals(io: Server, socket: Socket): Record<string, MockInstance> {
  const server = Object.getPrototypeOf(io) as { _nsps: unknown; opts: unknown };
  const nsp = Object.getPrototypeOf(socket.nsp) as {
    _ids: number;
    _onServerSideEmit(args: unknown[]): void;
  };
  const sock = Object.getPrototypeOf(socket) as { acks: unknown };
  const client = Object.getPrototypeOf(socket.client) as {
    id: string;
    writeToEngine(chunks: unknown[]): void;
  };
  return {
    "io._nsps": vi.spyOn(server, "_nsps", "get"),
    "io.opts": vi.spyOn(server, "opts", "get"),
    // `_ids++` reads it first (a second spy on its setter would not be restored cleanly).
    "nsp._ids": vi.spyOn(nsp, "_ids", "get"),
    "nsp._onServerSideEmit": vi.spyOn(nsp, "_onServerSideEmit"),
    "socket.acks": vi.spyOn(sock, "acks", "get"),
    "client.id": vi.spyOn(client, "id", "get"),
    "client.writeToEngine": vi.spyOn(client, "writeToEngine"),
  };
}

/** Broadcasts, acks, rooms, fetchSockets and remote operations on `io` (clients on it). */
async function exercise(io: Server, url: string): Promise<void> {
  const red = await connect(io, url, ["red"]);
  const other = await connect(io, url);
  io.emit("msg", "all");
  io.to("red").emit("msg", "red");
  io.except("red").emit("msg", "not-red");
  await waitUntil(() => red.got.length === 2 && other.got.length === 2, "broadcasts arrived");
  expect(red.got.map((value) => value)).toEqual(["all", "red"]);
  expect(other.got).toEqual(["all", "not-red"]);
  const answers = (await io.timeout(2000).emitWithAck("ask", "q")) as unknown[][];
  expect(answers.map(([value]) => value)).toEqual([...io.of("/").sockets.keys()].map(() => "q"));
  expect(await red.socket.timeout(2000).emitWithAck("ask", "direct")).toEqual([
    "direct",
    red.client.id,
  ]);
  const sockets = await io.fetchSockets();
  expect(sockets.map((socket) => socket.id).sort()).toEqual([...io.of("/").sockets.keys()].sort());
  io.in("red").socketsJoin("green");
  await waitUntil(() => red.socket.rooms.has("green"), "red joined green");
  expect(other.socket.rooms.has("green")).toBe(false);
}

describe("drop-in internals", () => {
  it("expose the namespaces, the resolved options and the Engine.IO id", async () => {
    const { io, url } = await start({
      connectionStateRecovery: { maxDisconnectionDuration: 5000 },
    });
    const chat = io.of("/chat");
    expect([...io._nsps.keys()]).toEqual(["/", "/chat"]);
    expect(io._nsps.get("/chat")).toBe(chat);
    expect(io.opts.connectionStateRecovery).toEqual({
      maxDisconnectionDuration: 5000,
      skipMiddlewares: true,
    });
    expect(Object.isFrozen(io.opts)).toBe(true);
    const off = await start({});
    expect(off.io.opts.connectionStateRecovery).toBeUndefined();
    const { client, socket } = await connect(io, url);
    expect(socket.client.id).toBe(socket.conn.id);
    expect(socket.client.id).toBe((client.io.engine as { id: string }).id);
  });

  it("share the namespace ack counter and route writeToEngine / acks.set to the client", async () => {
    const { io, url } = await start({});
    const { client, socket } = await connect(io, url);
    const nsp = socket.nsp;
    const first = nsp._ids;
    nsp._ids++;
    expect(nsp.nextAckId()).toBe(first + 1);
    const answered = new Promise<unknown[]>((resolve) =>
      socket.acks.set(nsp._ids, (...args) => resolve(args)),
    );
    const id = nsp._ids++;
    const chunks = io.encoder.encode({ type: 2, nsp: "/", data: ["ask", "raw"], id });
    socket.client.writeToEngine(chunks, { preEncoded: true });
    expect(await answered).toEqual([["raw", client.id]]);
    const heard = waitFor<[string]>(io, "relayed");
    nsp._onServerSideEmit(["relayed", "x"]);
    expect(await heard).toEqual(["x"]);
  });

  it("run socket.io-adapter's own in-memory Adapter as the adapter", async () => {
    const { io, url } = await start({ adapter: OfficialAdapter });
    expect(io.of("/").adapter).toBeInstanceOf(OfficialAdapter);
    const probe = await connect(io, url);
    const spies = spyOnInternals(io, probe.socket);
    await exercise(io, url);
    // writeToEngine for every broadcast write, acks.set and _ids for the acked broadcast.
    for (const name of ["client.writeToEngine", "socket.acks", "nsp._ids"]) {
      expect(spies[name], name).toHaveBeenCalled();
    }
  });

  it("recover sessions through socket.io-adapter's SessionAwareAdapter", async () => {
    const { io, url } = await start({
      adapter: OfficialSessionAware,
      connectionStateRecovery: {},
    });
    const client = ioc(url, { forceNew: true, reconnection: false, transports: ["websocket"] });
    clients.push(client);
    const got: string[] = [];
    client.on("msg", (value: string) => got.push(value));
    const [[socket]] = await Promise.all([
      waitFor<[Socket]>(io, "connection"),
      waitFor(client, "connect"),
    ]);
    await socket.join("kept");
    io.emit("msg", "before");
    await waitUntil(() => got.length === 1, "first event");
    const gone = waitFor(socket, "disconnect");
    client.io.engine.close();
    await gone;
    io.to("kept").emit("msg", "missed");
    const [[back]] = await Promise.all([
      waitFor<[Socket]>(io, "connection"),
      (async () => {
        const connected = waitFor(client, "connect");
        client.connect();
        await connected;
      })(),
    ]);
    expect(client.recovered).toBe(true);
    expect(back.id).toBe(socket.id);
    expect(back.rooms.has("kept")).toBe(true);
    await waitUntil(() => got.length === 2, "missed event");
    expect(got).toEqual(["before", "missed"]);
  });

  it("are never used by switchyard's own adapters", async () => {
    const cases: Array<[string, ServerOptions[]]> = [
      ["in-memory", [{}]],
      ["session-aware", [{ connectionStateRecovery: {} }]],
    ];
    const bus = new InProcessBus();
    const cluster: ServerOptions = {
      adapter: bus.adapter({ heartbeatInterval: 100, heartbeatTimeout: 1000 }),
    };
    cases.push(["cluster (in-process bus)", [cluster, cluster]]);
    for (const [, options] of cases) {
      const nodes = await Promise.all(options.map((option) => start(option)));
      const [a, b] = nodes as [
        { io: Server; url: string },
        { io: Server; url: string } | undefined,
      ];
      if (b !== undefined) {
        await waitUntil(async () => (await a.io.of("/").adapter.serverCount()) === 2, "2 nodes");
        b.io.on("peer", (value: string, ack: (answer: string) => void) => ack(`b:${value}`));
      }
      const probe = await connect(a.io, a.url);
      const spies = spyOnInternals(a.io, probe.socket);
      await exercise(a.io, a.url);
      if (b !== undefined) {
        const remote = await connect(b.io, b.url);
        a.io.emit("msg", "to-b");
        await waitUntil(() => remote.got.includes("to-b"), "cross-node broadcast");
        expect(await a.io.serverSideEmitWithAck("peer", "x")).toEqual(["b:x"]);
        const all = await a.io.fetchSockets();
        all.find((socket) => socket.id === remote.socket.id)?.emit("msg", "direct");
        await waitUntil(() => remote.got.includes("direct"), "remote socket emit");
      }
      for (const [name, spy] of Object.entries(spies)) expect(spy, name).not.toHaveBeenCalled();
      vi.restoreAllMocks();
    }
  });
});
