// @socket.io/redis-streams-adapter (a socket.io-adapter ClusterAdapter) as the `adapter` of
// switchyard nodes, and of a mixed fleet: switchyard and official socket.io nodes on one Redis.
import { randomUUID } from "node:crypto";
import { createAdapter } from "@socket.io/redis-streams-adapter";
import { Redis } from "ioredis";
import { inject } from "vitest";
import type { AdapterUnderTest } from "./support/fleet.js";
import { describeOfficialAdapterContract } from "./support/official-contract.js";

const url = inject("redisUrl");

/** One Redis client per node; every suite gets its own stream, channels and session keys. */
function redisStreams(): AdapterUnderTest {
  const prefix = `compat-${randomUUID()}`;
  const clients: Redis[] = [];
  return {
    async create() {
      const client = new Redis(url ?? "", { lazyConnect: false });
      clients.push(client);
      return createAdapter(client, {
        streamName: `${prefix}-stream`,
        channelPrefix: prefix,
        sessionKeyPrefix: `${prefix}:session:`,
        // The nodes' blocking reads end within this after close().
        blockTimeInMs: 200,
      });
    },
    async release() {
      for (const client of clients.splice(0)) client.disconnect();
    },
  };
}

describeOfficialAdapterContract("@socket.io/redis-streams-adapter on switchyard nodes", {
  kinds: ["switchyard", "switchyard", "switchyard"],
  adapter: redisStreams(),
  recovers: true,
  skip: url === undefined,
});

describeOfficialAdapterContract(
  "@socket.io/redis-streams-adapter, mixed fleet (switchyard and socket.io nodes)",
  {
    kinds: ["switchyard", "socket.io", "switchyard", "socket.io"],
    adapter: redisStreams(),
    recovers: true,
    skip: url === undefined,
  },
);

// The baseline: the same contract on official nodes only, so every expectation above is what
// socket.io itself does with this adapter.
describeOfficialAdapterContract("@socket.io/redis-streams-adapter on socket.io nodes (baseline)", {
  kinds: ["socket.io", "socket.io", "socket.io"],
  adapter: redisStreams(),
  recovers: true,
  skip: url === undefined,
});
