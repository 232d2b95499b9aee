// The Redis adapter with every node in its own OS process against a real redis-server: rooms,
// fetchSockets, the Emitter from a non-server process, and a node killed without ADAPTER_CLOSE.
import { randomBytes } from "node:crypto";
import { Emitter } from "@switchyard/adapter-redis";
import { Redis } from "ioredis";
import { describe, inject } from "vitest";
import {
  itDropsAKilledNode,
  itSharesRoomsAcrossProcesses,
  startProcessCluster,
} from "./support/process-suite.js";

const url = inject("redisUrl");
const key = `sy-proc-${randomBytes(4).toString("hex")}`;

describe.skipIf(url === undefined)("redis adapter across OS processes", () => {
  const cluster = startProcessCluster({
    fixture: "redis-node.ts",
    env: { REDIS_URL: url, SY_KEY: key },
    nodes: 3,
    connect: async () => {
      const redis = new Redis(url ?? "");
      redis.on("error", () => undefined);
      return { emitter: () => new Emitter(redis, { key }), close: () => redis.disconnect() };
    },
  });

  itSharesRoomsAcrossProcesses(cluster);
  itDropsAKilledNode(cluster);
});
