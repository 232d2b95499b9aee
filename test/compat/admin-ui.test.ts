// @socket.io/admin-ui 0.5 (`instrument()`) on switchyard: one node, and clusters on our Redis and
// NATS adapters, driven by an admin client that speaks to `/admin` as the admin UI does.
import { randomUUID } from "node:crypto";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createAdapter as natsAdapter } from "@switchyard/adapter-nats";
import { createAdapter as redisAdapter } from "@switchyard/adapter-redis";
import type { AdapterConstructor } from "@switchyard/server";
import { waitFor, waitUntil } from "@switchyard/server/testing";
import { Redis } from "ioredis";
import type { Socket as ClientSocket } from "socket.io-client";
import { afterEach, describe, expect, inject, it } from "vitest";
import {
  AdminClient,
  type AdminNode,
  type SerializedSocket,
  type ServerStats,
  startInstrumented,
  userClient,
} from "./support/admin.js";

const nodes: AdminNode[] = [];
const clients: Array<ClientSocket | AdminClient> = [];
const cleanups: Array<() => Promise<unknown> | unknown> = [];

afterEach(async () => {
  for (const client of clients.splice(0))
    client instanceof AdminClient ? client.close() : client.disconnect();
  await Promise.all(nodes.splice(0).map((node) => node.io.close()));
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function node(serverId: string, adapter?: AdapterConstructor): Promise<AdminNode> {
  const started = await startInstrumented(serverId, adapter);
  nodes.push(started);
  return started;
}

function admin(url: string, password?: string): AdminClient {
  const client = new AdminClient(url, password);
  clients.push(client);
  return client;
}

async function user(
  url: string,
  nsp = "/",
  transports?: Array<"polling" | "websocket">,
): Promise<ClientSocket> {
  const client = userClient(url, nsp, transports);
  clients.push(client);
  await waitFor(client, "connect", 10_000);
  return client;
}

/** The latest `all_sockets` list or the sockets announced since, as the UI keeps them. */
async function listed(client: AdminClient, id: string): Promise<SerializedSocket> {
  const [sockets] = (await client.next("all_sockets", (list: SerializedSocket[]) =>
    list.some((socket) => socket.id === id),
  )) as [SerializedSocket[]];
  return sockets.find((socket) => socket.id === id) as SerializedSocket;
}

describe("@socket.io/admin-ui on one switchyard node", () => {
  it("logs in with basic auth, hands out a session, and refuses wrong credentials", async () => {
    const { url } = await node("solo");
    const wrong = admin(url, "not-the-password");
    const [err] = await waitFor<[Error]>(wrong.socket, "connect_error", 10_000);
    expect(err.message).toBe("invalid credentials");
    const right = admin(url);
    const [sessionId] = (await right.next("session")) as [string];
    expect(sessionId).toMatch(/^[0-9a-f]{16}$/);
    const [config] = (await right.next("config")) as [{ supportedFeatures: string[] }];
    expect(config.supportedFeatures).toEqual(
      expect.arrayContaining([
        "EMIT",
        "JOIN",
        "LEAVE",
        "DISCONNECT",
        "MJOIN",
        "MLEAVE",
        "MDISCONNECT",
      ]),
    );
    expect(config.supportedFeatures).toEqual(
      expect.arrayContaining(["AGGREGATED_EVENTS", "ALL_EVENTS"]),
    );
    // The UI reconnects with the session id instead of the password.
    const again = new AdminClient(url, "");
    clients.push(again);
    (again.socket.auth as Record<string, unknown>)["sessionId"] = sessionId;
    again.socket.disconnect().connect();
    await waitFor(again.socket, "connect", 10_000);
  });

  it("lists the connected sockets with their client id, transport, handshake and rooms", async () => {
    const { io, url } = await node("solo");
    io.on("connection", (socket) => void socket.join("lobby"));
    const chat = io.of("/chat");
    const client = await user(url);
    const chatClient = await user(url, "/chat");
    const watcher = admin(url);
    const socket = await listed(watcher, client.id ?? "");
    const engineId = (client.io.engine as { id: string }).id;
    expect(socket).toMatchObject({
      nsp: "/",
      clientId: engineId.slice(0, 12),
      transport: "websocket",
      rooms: expect.arrayContaining([client.id, "lobby"]),
    });
    expect(socket.handshake.address).toMatch(/127\.0\.0\.1/);
    expect(socket.handshake.headers["host"]).toBe(url.slice("http://".length));
    const inChat = await listed(watcher, chatClient.id ?? "");
    expect(inChat.nsp).toBe("/chat");
    expect(chat.sockets.size).toBe(1);
  });

  it("reports server stats: namespaces, clients, polling clients and aggregated events", async () => {
    const { url } = await node("solo");
    await user(url);
    await user(url, "/", ["polling"]);
    const watcher = admin(url);
    const [stats] = (await watcher.next(
      "server_stats",
      (s: ServerStats) => s.clientsCount === 3 && s.pollingClientsCount === 1,
    )) as [ServerStats];
    expect(stats).toMatchObject({ serverId: "solo", pid: process.pid });
    expect(stats.namespaces).toEqual(
      expect.arrayContaining([
        { name: "/", socketsCount: 2 },
        { name: "/admin", socketsCount: 1 },
      ]),
    );
    // Events are aggregated per second between two stats; some stats window holds each type.
    await waitUntil(
      () => {
        const types = new Set(
          watcher
            .all("server_stats")
            .flatMap(([s]) => (s as ServerStats).aggregatedEvents.map((event) => event.type)),
        );
        return ["rawConnection", "packetsIn", "packetsOut", "bytesIn", "bytesOut"].every((t) =>
          types.has(t),
        );
      },
      "every aggregated event type reported",
      10_000,
    );
  });

  it("streams what happens: connections, events both ways, rooms, upgrades, disconnections", async () => {
    const { io, url } = await node("solo");
    io.on("connection", (socket) => {
      socket.on("hello", (value: string) => {
        void socket.join(`room-${value}`);
        socket.emit("welcome", value);
      });
      socket.on("bye", () => void socket.leave(`room-${socket.data.joined}`));
    });
    const watcher = admin(url);
    await watcher.next("config");
    const client = await user(url, "/", ["polling", "websocket"]);
    const id = client.id ?? "";
    await watcher.next("socket_connected", (s: SerializedSocket) => s.id === id);
    await watcher.next(
      "socket_updated",
      (update: { id: string; transport?: string }) =>
        update.id === id && update.transport === "websocket",
    );
    client.emit("hello", "x");
    await watcher.next(
      "event_received",
      (nsp: string, sid: string, args: unknown[]) =>
        nsp === "/" && sid === id && JSON.stringify(args) === '["hello","x"]',
    );
    await watcher.next(
      "event_sent",
      (_nsp: string, sid: string, args: unknown[]) =>
        sid === id && JSON.stringify(args) === '["welcome","x"]',
    );
    await watcher.next(
      "room_joined",
      (nsp: string, room: string, sid: string) => nsp === "/" && room === "room-x" && sid === id,
    );
    client.disconnect();
    await watcher.next(
      "room_left",
      (_nsp: string, room: string, sid: string) => room === "room-x" && sid === id,
    );
    const [, , reason] = (await watcher.next(
      "socket_disconnected",
      (_nsp: string, sid: string) => sid === id,
    )) as [string, string, string];
    expect(reason).toBe("client namespace disconnect");
  });

  it("runs the UI's actions: emit, join, leave and disconnect, by socket or by room", async () => {
    const { io, url } = await node("solo");
    const a = await user(url);
    const b = await user(url);
    const watcher = admin(url);
    await watcher.next("config");
    const sa = io.of("/").sockets.get(a.id ?? "");
    const sb = io.of("/").sockets.get(b.id ?? "");
    watcher.socket.emit("join", "/", "vip", a.id);
    await waitUntil(() => sa?.rooms.has("vip") === true, "a joined vip");
    expect(sb?.rooms.has("vip")).toBe(false);
    watcher.socket.emit("join", "/", "all");
    await waitUntil(
      () => sb?.rooms.has("all") === true && sa?.rooms.has("all") === true,
      "everyone joined",
    );
    const got = waitFor<[string]>(a, "announce", 10_000);
    watcher.socket.emit("emit", "/", "vip", "announce", "to vip");
    expect(await got).toEqual(["to vip"]);
    watcher.socket.emit("leave", "/", "vip", a.id);
    await waitUntil(() => sa?.rooms.has("vip") === false, "a left vip");
    const gone = waitFor<[string]>(b, "disconnect", 10_000);
    watcher.socket.emit("_disconnect", "/", false, b.id);
    expect((await gone)[0]).toBe("io server disconnect");
    expect(a.connected).toBe(true);
  });
});

/** A cluster of instrumented nodes on one of our bus adapters. */
interface Bus {
  name: string;
  skip: boolean;
  /** The adapter of one node; nodes given the same `name` share a cluster. */
  adapter(name: string): Promise<AdapterConstructor>;
}

const redisUrl = inject("redisUrl");
const natsUrl = inject("natsUrl");

const buses: Bus[] = [
  {
    name: "@switchyard/adapter-redis",
    skip: redisUrl === undefined,
    async adapter(name) {
      const pub = new Redis(redisUrl ?? "");
      const sub = new Redis(redisUrl ?? "");
      cleanups.push(
        () => pub.disconnect(),
        () => sub.disconnect(),
      );
      return redisAdapter(pub, sub, { key: name, heartbeatInterval: 200 });
    },
  },
  {
    name: "@switchyard/adapter-nats",
    skip: natsUrl === undefined,
    async adapter(name) {
      const nc: NatsConnection = await connect({ servers: natsUrl ?? "" });
      cleanups.push(() => nc.close());
      return natsAdapter(nc, { prefix: name, heartbeatInterval: 200 });
    },
  },
];

for (const bus of buses) {
  describe.skipIf(bus.skip)(`@socket.io/admin-ui across a cluster (${bus.name})`, () => {
    it("shows every node's sockets and stats, and its actions reach other nodes", async () => {
      const prefix = `admin-${randomUUID().slice(0, 8)}`;
      const a = await node(`${prefix}-a`, await bus.adapter(prefix));
      const b = await node(`${prefix}-b`, await bus.adapter(prefix));
      await waitUntil(
        async () =>
          (await a.io.of("/admin").adapter.serverCount()) === 2 &&
          (await b.io.of("/").adapter.serverCount()) === 2,
        "both nodes see each other",
        10_000,
      );
      const watcher = admin(a.url);
      await watcher.next("config");
      // A client of the other node: announced through the admin namespace's broadcast.
      const remote = await user(b.url);
      const id = remote.id ?? "";
      await watcher.next("socket_connected", (s: SerializedSocket) => s.id === id);
      // Both servers' stats reach the admin connected to one of them.
      await watcher.next("server_stats", (s: ServerStats) => s.serverId === `${prefix}-b`);
      await watcher.next("server_stats", (s: ServerStats) => s.serverId === `${prefix}-a`);
      // A later admin lists the other node's socket (fetchSockets across the cluster).
      const late = admin(a.url);
      const listedRemote = await listed(late, id);
      expect(listedRemote.clientId).toBe((remote.io.engine as { id: string }).id.slice(0, 12));
      expect(listedRemote.rooms).toEqual([id]);
      // The UI's actions go through the cluster.
      const remoteSocket = b.io.of("/").sockets.get(id);
      watcher.socket.emit("join", "/", "from-admin", id);
      await waitUntil(() => remoteSocket?.rooms.has("from-admin") === true, "remote socket joined");
      await watcher.next(
        "room_joined",
        (_nsp: string, room: string, sid: string) => room === "from-admin" && sid === id,
      );
      const got = waitFor<[string]>(remote, "announce", 10_000);
      watcher.socket.emit("emit", "/", "from-admin", "announce", "across");
      expect(await got).toEqual(["across"]);
      watcher.socket.emit("leave", "/", "from-admin", id);
      await waitUntil(() => remoteSocket?.rooms.has("from-admin") === false, "remote socket left");
      const gone = waitFor<[string]>(remote, "disconnect", 10_000);
      watcher.socket.emit("_disconnect", "/", false, id);
      expect((await gone)[0]).toBe("io server disconnect");
      await watcher.next("socket_disconnected", (_nsp: string, sid: string) => sid === id);
    });
  });
}
