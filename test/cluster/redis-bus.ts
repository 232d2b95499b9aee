// Contract buses over real Redis: every node gets its own pub/sub connections (as separate
// processes would), and every run its own channel prefix (others test on the same server).
import { randomBytes } from "node:crypto";
import { channelFor, createAdapter, Emitter } from "@switchyard/adapter-redis";
import type { ContractBus } from "@switchyard/server/testing";
import { Cluster, Redis } from "ioredis";

/** A contract bus on the Redis at `url`; `sharded` uses SPUBLISH/SSUBSCRIBE. */
export function redisBus(url: string, sharded = false): ContractBus {
  return busOf("sy-test", sharded, () => new Redis(url));
}

/** A contract bus on a Redis Cluster through ioredis `Cluster` clients. */
export function redisClusterBus(
  nodes: Array<{ host: string; port: number }>,
  sharded = false,
): ContractBus {
  return busOf("sy-cluster", sharded, () => new Cluster(nodes, { shardedSubscribers: sharded }));
}

/** A bus whose every connection `connect` opens, under a fresh `<prefix>-<random>` key. */
function busOf(prefix: string, sharded: boolean, connect: () => Redis | Cluster): ContractBus {
  const key = `${prefix}-${randomBytes(4).toString("hex")}`;
  const clients: Array<Redis | Cluster> = [];
  const open = (): Redis | Cluster => {
    const client = connect();
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
    recoveryEmitter: () => new Emitter(injector, { key, sharded, recovery: true }),
    close: async () => {
      await Promise.allSettled(clients.map((client) => client.quit()));
      for (const client of clients) client.disconnect();
    },
  };
}
