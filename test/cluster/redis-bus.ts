// Contract buses over real Redis: every node gets its own pub/sub connections (as separate
// processes would), and every run its own channel prefix (others test on the same server).
import { randomBytes } from "node:crypto";
import { channelFor, createAdapter } from "@switchyard/adapter-redis";
import { Cluster, Redis } from "ioredis";
import type { ContractBus } from "./cluster-harness.js";

/** A contract bus on the Redis at `url`; `sharded` uses SPUBLISH/SSUBSCRIBE. */
export function redisBus(url: string, sharded = false): ContractBus {
  const key = `sy-test-${randomBytes(4).toString("hex")}`;
  const clients: Redis[] = [];
  const open = (): Redis => {
    const client = new Redis(url);
    // The adapter adds its own listeners; this one covers the injector during outages.
    client.on("error", () => undefined);
    clients.push(client);
    return client;
  };
  const injector = open();
  return {
    adapter: (options) => createAdapter(open(), open(), { ...options, key, sharded }),
    inject: async (nsp, payload) => {
      const channel = channelFor(key, nsp, { kind: "all" });
      const buffer = Buffer.from(payload);
      if (sharded) await injector.spublish(channel, buffer);
      else await injector.publish(channel, buffer);
    },
    close: async () => {
      await Promise.allSettled(clients.map((client) => client.quit()));
      for (const client of clients) client.disconnect();
    },
  };
}

/** A contract bus on a Redis Cluster through ioredis `Cluster` clients. */
export function redisClusterBus(
  nodes: Array<{ host: string; port: number }>,
  sharded = false,
): ContractBus {
  const key = `sy-cluster-${randomBytes(4).toString("hex")}`;
  const clients: Cluster[] = [];
  const open = (): Cluster => {
    const client = new Cluster(nodes, { shardedSubscribers: sharded });
    client.on("error", () => undefined);
    clients.push(client);
    return client;
  };
  const injector = open();
  return {
    adapter: (options) => createAdapter(open(), open(), { ...options, key, sharded }),
    inject: async (nsp, payload) => {
      const channel = channelFor(key, nsp, { kind: "all" });
      const buffer = Buffer.from(payload);
      if (sharded) await injector.spublish(channel, buffer);
      else await injector.publish(channel, buffer);
    },
    close: async () => {
      await Promise.allSettled(clients.map((client) => client.quit()));
      for (const client of clients) client.disconnect();
    },
  };
}
