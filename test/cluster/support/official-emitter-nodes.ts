// Two switchyard nodes on one Redis (any client library) with socket.io-client peers whose rooms
// come from their auth, and the emitters that speak the official wire format: the real
// @socket.io/redis-emitter package, and our Emitter with `format: "official"`.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Emitter as OfficialEmitter } from "@socket.io/redis-emitter";
import {
  createAdapter,
  Emitter,
  type RedisAdapter,
  type RedisAdapterOptions,
  type RedisClient,
} from "@switchyard/adapter-redis";
import { Server, type ServerOptions } from "@switchyard/server";
import { waitFor, waitUntil } from "@switchyard/server/testing";
import { Redis } from "ioredis";
import { type Socket as ClientSocket, io as ioc } from "socket.io-client";
import { closeClients, type RedisLibrary, redisClient } from "../redis-bus.js";

/** Opens one client (connected, or connecting when its library allows it). */
export type OpenClient = () => RedisClient | Promise<RedisClient>;

/** The part of an emitter these tests use (both emitters have it). */
export interface AnyEmitter {
  emit(event: string, ...args: unknown[]): unknown;
  to(room: string | string[]): AnyEmitter;
  in(room: string | string[]): AnyEmitter;
  except(room: string | string[]): AnyEmitter;
  readonly volatile: AnyEmitter;
  of(nsp: string): AnyEmitter;
  socketsJoin(rooms: string | string[]): void;
  socketsLeave(rooms: string | string[]): void;
  disconnectSockets(close?: boolean): void;
  serverSideEmit(event: string, ...args: unknown[]): unknown;
}

/** Which emitter publishes. */
export type EmitterKind = "@socket.io/redis-emitter" | "switchyard (format: official)";
export const EMITTER_KINDS: readonly EmitterKind[] = [
  "@socket.io/redis-emitter",
  "switchyard (format: official)",
];

/** A client and the events it received, in order. */
export interface Peer {
  socket: ClientSocket;
  got: Array<[string, ...unknown[]]>;
  names(): string[];
}

/** One node. */
export interface Node {
  io: Server;
  url: string;
  adapter(nsp?: string): RedisAdapter;
}

/** A running pair of nodes, their peers, a raw publisher and the emitter under test. */
export interface Cluster {
  nodes: [Node, Node];
  emitter: AnyEmitter;
  /** Publishes raw bytes (hostile input). */
  raw: Redis;
  connect(node: Node, rooms: string[], nsp?: string): Promise<Peer>;
  /**
   * Emits `probe` (through the emitter, or `send`) until every peer got one: the channels reach
   * every node.
   */
  settle(peers: Peer[], send?: () => void): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts two nodes with `library` clients (or those `library` opens) on the Redis at `url` and
 * `options`, and an emitter of `kind`.
 */
export async function startCluster(
  url: string,
  library: RedisLibrary | OpenClient,
  kind: EmitterKind,
  key: string,
  options: RedisAdapterOptions = {},
  serverOptions: Partial<ServerOptions> = {},
): Promise<Cluster> {
  const open: OpenClient =
    typeof library === "function" ? library : () => redisClient(library, url);
  const clients = [await open()];
  const servers: Server[] = [];
  const sockets: ClientSocket[] = [];
  const raw = new Redis(url);
  const node = async (): Promise<Node> => {
    const pub = await open();
    const sub = await open();
    clients.push(pub, sub);
    const http = createServer();
    const adapter = createAdapter(pub, sub, { key, heartbeatInterval: 250, ...options });
    const io = new Server(http, { ...serverOptions, adapter });
    const join = (socket: {
      handshake: { auth: Record<string, unknown> };
      join(r: string[]): unknown;
    }) => socket.join((socket.handshake.auth["rooms"] as string[] | undefined) ?? []);
    io.on("connection", join);
    io.of("/admin").on("connection", join);
    servers.push(io);
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    return {
      io,
      url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
      adapter: (nsp = "/") => io.of(nsp).adapter as unknown as RedisAdapter,
    };
  };
  const nodes: [Node, Node] = [await node(), await node()];
  const publisher = clients[0];
  const emitter = (kind === "@socket.io/redis-emitter"
    ? new OfficialEmitter(publisher, { key })
    : new Emitter(publisher ?? raw, { key, format: "official" })) as unknown as AnyEmitter;
  const connect = async (at: Node, rooms: string[], nsp = "/"): Promise<Peer> => {
    const socket = ioc(`${at.url}${nsp}`, {
      transports: ["websocket"],
      reconnection: false,
      auth: { rooms },
      forceNew: true,
    });
    sockets.push(socket);
    const got: Peer["got"] = [];
    socket.onAny((event: string, ...args: unknown[]) => got.push([event, ...args]));
    await waitFor(socket, "connect");
    return { socket, got, names: () => got.map(([event]) => event).filter((e) => e !== "probe") };
  };
  const settle = async (peers: Peer[], send = () => emitter.emit("probe")): Promise<void> => {
    await waitUntil(
      () => {
        send();
        return peers.every((peer) => peer.got.some(([event]) => event === "probe"));
      },
      "the probes reached every node",
      10_000,
    );
  };
  return {
    nodes,
    emitter,
    raw,
    connect,
    settle,
    close: async () => {
      for (const socket of sockets) socket.disconnect();
      await Promise.all(servers.map((io) => io.close()));
      await closeClients(clients);
      raw.disconnect();
    },
  };
}
