// The adapter contract on real Redis, classic and sharded pub/sub (skipped when no Redis).
import { describeAdapterContract, describeRecoveryContract } from "@switchyard/server/testing";
import { io } from "socket.io-client";
import { inject } from "vitest";
import { redisBus } from "./redis-bus.js";

const url = inject("redisUrl");

describeAdapterContract("redis", async () => redisBus(url ?? ""), { io, skip: url === undefined });
describeAdapterContract("redis (sharded)", async () => redisBus(url ?? "", true), {
  io,
  skip: url === undefined,
});
describeRecoveryContract("redis", async () => redisBus(url ?? ""), {
  io,
  skip: url === undefined,
  emitter: true,
});
describeRecoveryContract("redis (sharded)", async () => redisBus(url ?? "", true), {
  io,
  skip: url === undefined,
  emitter: true,
});
