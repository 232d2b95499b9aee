// The adapter contract on real Redis, classic and sharded pub/sub (skipped when no Redis).
import { inject } from "vitest";
import { describeAdapterContract } from "./contract.js";
import { describeRecoveryContract } from "./contract-recovery.js";
import { redisBus } from "./redis-bus.js";

const url = inject("redisUrl");

describeAdapterContract("redis", async () => redisBus(url ?? ""), url === undefined);
describeAdapterContract(
  "redis (sharded)",
  async () => redisBus(url ?? "", true),
  url === undefined,
);
describeRecoveryContract("redis", async () => redisBus(url ?? ""), url === undefined, {
  emitter: true,
});
describeRecoveryContract(
  "redis (sharded)",
  async () => redisBus(url ?? "", true),
  url === undefined,
  { emitter: true },
);
