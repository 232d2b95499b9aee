// Contract buses over real Redis: every node gets its own pub/sub connections (as separate
// processes would), and every run its own channel prefix (others test on the same server).
// Each runs with ioredis or node-redis 4 / 5 (`library`), so the contract covers all three.
import { randomBytes } from "node:crypto";
import {
  busClientOf,
  channelFor,
  createAdapter,
  Emitter,
  type RedisClient,
} from "@switchyard/adapter-redis";
import type { ContractBus } from "@switchyard/server/testing";
import { Cluster, Redis } from "ioredis";
import { createClient as createClient5, createCluster as createCluster5 } from "redis";
import { createClient as createClient4, createCluster as createCluster4 } from "redis4";

/** The client libraries the Redis suites run with. */
export type RedisLibrary = "ioredis" | "redis4" | "redis5";
export const REDIS_LIBRARIES: readonly RedisLibrary[] = ["ioredis", "redis4", "redis5"];

/** A client of `library` connecting to the Redis at `url` (node-redis: connecting already). */
export function redisClient(library: RedisLibrary, url: string): RedisClient {
  if (library === "ioredis") {
    const client = new Redis(url);
    // The adapter adds its own listeners; this one covers the injector during outages.
    client.on("error", () => undefined);
    return client;
  }
  const client = library === "redis4" ? createClient4({ url }) : createClient5({ url });
  client.on("error", () => undefined);
  // Commands issued while it connects wait in its queue.
  client.connect().catch(() => undefined);
  return client;
}

/** A contract bus on the Redis at `url`; `sharded` uses SPUBLISH/SSUBSCRIBE. */
export function redisBus(
  url: string,
  sharded = false,
  library: RedisLibrary = "ioredis",
): ContractBus {
  return busOf("sy-test", sharded, () => redisClient(library, url));
}

/**
 * A contract bus on a Redis Cluster through `Cluster` clients (ioredis or node-redis). A
 * node-redis cluster takes commands only once `connect()` resolved (it needs the slot map
 * first), and the contract opens clients synchronously: those are connected ahead, a pool of
 * {@link CLUSTER_POOL} per bus (three nodes and two extra ones, two clients each, an injector).
 */
export async function redisClusterBus(
  nodes: Array<{ host: string; port: number }>,
  sharded = false,
  library: RedisLibrary = "ioredis",
): Promise<ContractBus> {
  if (library === "ioredis") {
    return busOf("sy-cluster", sharded, () => {
      const client = new Cluster(nodes, { shardedSubscribers: sharded });
      client.on("error", () => undefined);
      return client;
    });
  }
  const pool = await Promise.all(
    Array.from({ length: CLUSTER_POOL }, () => redisClusterClient(library, nodes, sharded)),
  );
  const bus = busOf("sy-cluster", sharded, () => {
    const client = pool.shift();
    if (client === undefined) throw new Error("the node-redis cluster pool is exhausted");
    return client;
  });
  return {
    ...bus,
    close: () => Promise.all([bus.close(), closeClients(pool)]).then(() => undefined),
  };
}

const CLUSTER_POOL = 13;

/** A connected cluster client of `library` (node-redis: once `connect()` resolved). */
export async function redisClusterClient(
  library: RedisLibrary,
  nodes: Array<{ host: string; port: number }>,
  sharded: boolean,
): Promise<RedisClient> {
  if (library === "ioredis") {
    const client = new Cluster(nodes, { shardedSubscribers: sharded });
    client.on("error", () => undefined);
    return client;
  }
  const rootNodes = nodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` }));
  const client =
    library === "redis4" ? createCluster4({ rootNodes }) : createCluster5({ rootNodes });
  client.on("error", () => undefined);
  await client.connect();
  return client as RedisClient;
}

/** A bus whose every connection `connect` opens, under a fresh `<prefix>-<random>` key. */
function busOf(prefix: string, sharded: boolean, connect: () => RedisClient): ContractBus {
  const key = `${prefix}-${randomBytes(4).toString("hex")}`;
  const clients: RedisClient[] = [];
  const open = (): RedisClient => {
    const client = connect();
    clients.push(client);
    return client;
  };
  const injector = open();
  return {
    adapter: (options) => createAdapter(open(), open(), { ...options, key, sharded }),
    inject: async (nsp, payload) => {
      const channel = channelFor(key, nsp, { kind: "all" });
      await busClientOf(injector).publish(channel, Buffer.from(payload), sharded);
    },
    recoveryEmitter: () => new Emitter(injector, { key, sharded, recovery: true }),
    close: () => closeClients(clients),
  };
}

/** Closes clients of any library (quit, then drop what is left). */
export async function closeClients(clients: readonly RedisClient[]): Promise<void> {
  await Promise.allSettled(clients.map((client) => quit(client)));
}

async function quit(client: RedisClient): Promise<void> {
  if (client instanceof Redis || client instanceof Cluster) {
    await client.quit().catch(() => undefined);
    client.disconnect();
    return;
  }
  const nodeRedis = client as unknown as { isOpen: boolean; disconnect(): Promise<void> };
  if (nodeRedis.isOpen) await nodeRedis.disconnect().catch(() => undefined);
}
