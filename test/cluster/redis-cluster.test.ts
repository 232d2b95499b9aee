// The adapter contract on a real Redis Cluster (3 masters) through ioredis `Cluster` clients,
// with classic and sharded pub/sub. Skipped when redis-server / redis-cli cannot build one.
import { describeAdapterContract, describeRecoveryContract } from "@switchyard/server/testing";
import { io } from "socket.io-client";
import { afterAll } from "vitest";
import { redisClusterBus } from "./redis-bus.js";
import { type RedisClusterService, startRedisCluster } from "./redis-cluster-service.js";

let cluster: RedisClusterService | undefined;
try {
  cluster = await startRedisCluster();
} catch {
  cluster = undefined;
}

afterAll(async () => {
  await cluster?.close();
});

const nodes = cluster?.nodes ?? [];
describeAdapterContract("redis cluster", async () => redisClusterBus(nodes), {
  io,
  skip: cluster === undefined,
});
describeAdapterContract("redis cluster (sharded)", async () => redisClusterBus(nodes, true), {
  io,
  skip: cluster === undefined,
});
describeRecoveryContract("redis cluster", async () => redisClusterBus(nodes), {
  io,
  skip: cluster === undefined,
  emitter: true,
});
describeRecoveryContract("redis cluster (sharded)", async () => redisClusterBus(nodes, true), {
  io,
  skip: cluster === undefined,
  emitter: true,
});
