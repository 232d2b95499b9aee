// The client a user hands in, wrapped once as a BusClient (node-redis is told apart by its
// `pSubscribe`, as the official adapter does; anything else is taken for ioredis).
import type { BusClient } from "./bus-client.js";
import { IoRedisBusClient, type IoRedisClient } from "./ioredis-client.js";
import { isNodeRedis, NodeRedisBusClient, type NodeRedisClient } from "./node-redis-client.js";

/**
 * A Redis client the adapter and the Emitter accept: ioredis `Redis` or `Cluster`, or node-redis
 * 4/5 `createClient()` / `createCluster()` (connected by you).
 */
export type RedisClient = IoRedisClient | NodeRedisClient;

const wrapped = new WeakMap<object, BusClient>();

/** The BusClient of `client` (the same one for every call with the same client). */
export function busClientOf(client: RedisClient): BusClient {
  let bus = wrapped.get(client);
  if (bus === undefined) {
    bus = isNodeRedis(client) ? new NodeRedisBusClient(client) : new IoRedisBusClient(client);
    wrapped.set(client, bus);
  }
  return bus;
}
