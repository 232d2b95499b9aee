// The adapter contract on real Redis, classic and sharded pub/sub, with ioredis and node-redis 4
// and 5 (skipped when no Redis).
import { describeAdapterContract, describeRecoveryContract } from "@switchyard/server/testing";
import { io } from "socket.io-client";
import { inject } from "vitest";
import { REDIS_LIBRARIES, redisBus } from "./redis-bus.js";

const url = inject("redisUrl");

for (const library of REDIS_LIBRARIES) {
  for (const sharded of [false, true]) {
    const name = `redis ${library}${sharded ? " (sharded)" : ""}`;
    const bus = async () => redisBus(url ?? "", sharded, library);
    describeAdapterContract(name, bus, { io, skip: url === undefined });
    describeRecoveryContract(name, bus, { io, skip: url === undefined, emitter: true });
  }
}
