// A Redis Cluster master failover under recovery, at process level: 3 masters + 3 replicas, 3
// node processes behind the balancer, numbered streams from every node while the master of the
// namespace's slot (history, sessions, and in sharded mode its channels) is SIGKILLed and its
// replica promoted. Publishes and history writes are held in order and go out once the slot has a
// master again (adapter-redis ordered-retry.ts): per client no gap, no duplicate, in order.
import { randomBytes } from "node:crypto";
import { namespaceTag } from "@switchyard/adapter-redis";
import { type Balancer, createBalancer } from "@switchyard/sticky";
import { afterAll, afterEach, beforeAll, describe, inject, it } from "vitest";
import { type RedisClusterService, startRedisCluster } from "../cluster/redis-cluster-service.js";
import { type FleetNode, startFleetNode } from "./support/fleet.js";
import {
  expectNoLoss,
  runFault,
  type Scenario,
  startScenario,
  stopScenario,
} from "./support/scenario.js";

const available = inject("redisUrl") !== undefined;
const CLIENTS = 24;

describe.skipIf(!available)("recovery faults: a Redis Cluster master failover", () => {
  let nodes: FleetNode[] = [];
  let balancer: Balancer | undefined;
  let scenario: Scenario | undefined;
  let cluster: RedisClusterService | undefined;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicas: 1, nodeTimeoutMs: 1_000 });
  }, 60_000);

  afterAll(async () => {
    await cluster?.close();
  });

  afterEach(async () => {
    await stopScenario(scenario, nodes);
    await balancer?.close();
    [nodes, balancer, scenario] = [[], undefined, undefined];
  });

  for (const sharded of [true, false]) {
    it(`rides out the failover of the namespace's master (${sharded ? "sharded" : "classic"} pub/sub)`, async () => {
      const key = `sy-fo-${randomBytes(4).toString("hex")}`;
      const env = {
        REDIS_CLUSTER: (cluster?.nodes ?? []).map((n) => `${n.host}:${n.port}`).join(","),
        SHARDED: sharded ? "1" : "0",
        SY_KEY: key,
      };
      const run = randomBytes(3).toString("hex");
      nodes = await Promise.all([0, 1, 2].map((i) => startFleetNode(`fo-${run}-${i}`, env)));
      balancer = createBalancer({
        host: "127.0.0.1",
        upstreams: nodes.map((node) => ({ id: node.id, url: node.url })),
        healthCheck: { intervalMs: 100, timeoutMs: 500, fall: 1, rise: 1 },
      });
      const { port } = await balancer.listen();
      scenario = await startScenario(nodes, `http://127.0.0.1:${port}`, CLIENTS);
      let failover: { killed: number; promoted: number } | undefined;
      const report = await runFault(
        scenario,
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 300));
          failover = await cluster?.killMasterOf(namespaceTag(key, "/"));
        },
        1_500,
      );
      console.info(
        `failover (${sharded ? "sharded" : "classic"}):`,
        JSON.stringify({ failover, ...report }),
      );
      expectNoLoss(report, 0);
    }, 120_000);
  }
});
