// /readyz of a node whose Redis adapter loses its bus (issue 9): 503 while Redis is down, 200
// again once the client reconnected, with ioredis and node-redis 4 and 5. Uses a private,
// stoppable Redis (skipped when none can start).
import { createAdapter, type RedisClient } from "@switchyard/adapter-redis";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { closeClients, REDIS_LIBRARIES, redisClient } from "../cluster/redis-bus.js";
import { startLocalService, type TestService } from "../support/services.js";
import { get, type Node, startNode, until } from "./ops-support.js";

async function tryStart(): Promise<TestService | undefined> {
  try {
    return await startLocalService("redis");
  } catch {
    return undefined;
  }
}

/** An ioredis client that retries fast and gives up on commands after one reconnect. */
function fastIoRedis(url: string): Redis {
  const client = new Redis(url, { retryStrategy: () => 50, maxRetriesPerRequest: 1 });
  client.on("error", () => undefined);
  return client;
}

const service = await tryStart();
const clients: RedisClient[] = [];
const nodes: Node[] = [];

afterAll(async () => {
  await Promise.all(nodes.map((node) => node.io.close()));
  await closeClients(clients);
  await service?.close();
});

describe.skipIf(service === undefined)("readiness with a Redis adapter", () => {
  it.each(REDIS_LIBRARIES)(
    "answers 503 while the bus is down and 200 after it came back (%s)",
    async (library) => {
      const url = service?.url ?? "";
      const open = (): RedisClient => {
        const client = library === "ioredis" ? fastIoRedis(url) : redisClient(library, url);
        clients.push(client);
        return client;
      };
      const node = await startNode({ health: true, adapter: createAdapter(open(), open()) });
      nodes.push(node);
      const ready = async (): Promise<number> => (await get(`${node.url}/readyz`)).status;
      await until(async () => (await ready()) === 200, 10_000);
      await service?.stop();
      await until(async () => (await ready()) === 503, 10_000);
      expect((await get(`${node.url}/healthz`)).status).toBe(200);
      await service?.start();
      await until(async () => (await ready()) === 200, 15_000);
    },
    40_000,
  );
});
