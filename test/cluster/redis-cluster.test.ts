// The adapter contract on a real Redis Cluster (3 masters) through `Cluster` clients of ioredis
// and node-redis 4 and 5 (`createCluster`), with classic and sharded pub/sub. Skipped when
// redis-server / redis-cli cannot build one.
import { describeAdapterContract, describeRecoveryContract } from "@switchyard/server/testing";
import { io } from "socket.io-client";
import { afterAll } from "vitest";
import { REDIS_LIBRARIES, redisClusterBus } from "./redis-bus.js";
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
for (const library of REDIS_LIBRARIES) {
  for (const sharded of [false, true]) {
    const name = `redis cluster ${library}${sharded ? " (sharded)" : ""}`;
    const bus = async () => redisClusterBus(nodes, sharded, library);
    describeAdapterContract(name, bus, { io, skip: cluster === undefined });
    describeRecoveryContract(name, bus, { io, skip: cluster === undefined, emitter: true });
  }
}
