// @socket.io/redis-adapter 8 (the classic pub/sub adapter, a socket.io-adapter Adapter subclass)
// as the `adapter` of switchyard nodes, and of a mixed fleet with socket.io nodes.
import { randomUUID } from "node:crypto";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { inject } from "vitest";
import type { AdapterUnderTest } from "./support/fleet.js";
import { describeOfficialAdapterContract } from "./support/official-contract.js";

const url = inject("redisUrl");

/** Two Redis clients per node (publish, subscribe); every suite gets its own channel prefix. */
function redisAdapter(sharded: boolean): AdapterUnderTest {
  const key = `compat-${randomUUID()}`;
  const clients: Redis[] = [];
  return {
    async create() {
      const pub = new Redis(url ?? "");
      const sub = new Redis(url ?? "");
      clients.push(pub, sub);
      return sharded
        ? createShardedAdapter(pub, sub, { channelPrefix: key })
        : createAdapter(pub, sub, { key, requestsTimeout: 5000 });
    },
    async release() {
      for (const client of clients.splice(0)) client.disconnect();
    },
  };
}

describeOfficialAdapterContract("@socket.io/redis-adapter on switchyard nodes", {
  kinds: ["switchyard", "switchyard", "switchyard"],
  adapter: redisAdapter(false),
  recovers: false,
  skip: url === undefined,
});

describeOfficialAdapterContract(
  "@socket.io/redis-adapter, mixed fleet (switchyard and socket.io nodes)",
  {
    kinds: ["switchyard", "socket.io", "switchyard"],
    adapter: redisAdapter(false),
    recovers: false,
    skip: url === undefined,
  },
);

describeOfficialAdapterContract("@socket.io/redis-adapter (sharded), mixed fleet", {
  kinds: ["socket.io", "switchyard", "switchyard"],
  adapter: redisAdapter(true),
  recovers: false,
  skip: url === undefined,
});
