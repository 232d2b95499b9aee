// Recovery across nodes on Redis, at process level: 3 node processes behind switchyard-balancer,
// clients in rooms (websocket and polling-only) receiving numbered streams published by every
// node, while a node is SIGKILLed or every node is shut down and restarted in turn. Per client:
// no gap, no duplicate, in order, and every return a recovery (docs/recovery.md).
import { randomBytes } from "node:crypto";
import { type Balancer, createBalancer } from "@switchyard/sticky";
import { afterEach, describe, inject, it } from "vitest";
import { waitUntil } from "../cluster/cluster-harness.js";
import { type FleetNode, killNode, shutdownNode, startFleetNode } from "./support/fleet.js";
import {
  expectNoLoss,
  runFault,
  type Scenario,
  startScenario,
  stopScenario,
} from "./support/scenario.js";

const url = inject("redisUrl");
const CLIENTS = 24;

describe.skipIf(url === undefined)("recovery faults: 3 nodes on Redis behind the balancer", () => {
  let nodes: FleetNode[] = [];
  let balancer: Balancer | undefined;
  let scenario: Scenario | undefined;

  afterEach(async () => {
    await stopScenario(scenario, nodes);
    await balancer?.close();
    [nodes, balancer, scenario] = [[], undefined, undefined];
  });

  /** Three nodes on a fresh channel key, and a balancer routing by their sid tags. */
  async function start(): Promise<{ env: Record<string, string>; balancerUrl: string }> {
    const env = { REDIS_URL: url ?? "", SY_KEY: `sy-rec-${randomBytes(4).toString("hex")}` };
    const run = randomBytes(3).toString("hex");
    nodes = await Promise.all([0, 1, 2].map((i) => startFleetNode(`rec-${run}-${i}`, env)));
    balancer = createBalancer({
      host: "127.0.0.1",
      upstreams: nodes.map((node) => ({ id: node.id, url: node.url })),
      healthCheck: { intervalMs: 100, timeoutMs: 500, fall: 1, rise: 1 },
    });
    const { port } = await balancer.listen();
    return { env, balancerUrl: `http://127.0.0.1:${port}` };
  }

  it("recovers every client of a SIGKILLed node on the survivors", async () => {
    const { balancerUrl } = await start();
    scenario = await startScenario(nodes, balancerUrl, CLIENTS);
    const victim = nodes[2] as FleetNode;
    const stats = await victim.command("stats");
    const onVictim = stats["sockets"] as number;
    const report = await runFault(scenario, async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await scenario?.streams.retire(victim);
      await killNode(victim);
    });
    console.info("SIGKILL of one node:", JSON.stringify({ onVictim, ...report }));
    expectNoLoss(report, onVictim);
  }, 90_000);

  it("recovers every client through a rolling io.shutdown() of every node", async () => {
    const { env, balancerUrl } = await start();
    scenario = await startScenario(nodes, balancerUrl, CLIENTS);
    const current = scenario;
    const report = await runFault(current, async () => {
      for (const [i, node] of [...nodes].entries()) {
        await current.streams.retire(node);
        await shutdownNode(node);
        const port = new URL(node.url).port;
        const back = await startFleetNode(node.id, env, Number(port));
        nodes[i] = back;
        await back.command("settle");
        current.streams.enlist(back);
        // The balancer sees it healthy again before the next node goes.
        await waitUntil(
          () => balancer?.stats().upstreams.find((u) => u.id === back.id)?.healthy === true,
          "the restarted node is healthy",
          10_000,
        );
      }
    });
    console.info("rolling shutdown:", JSON.stringify(report));
    expectNoLoss(report, CLIENTS);
  }, 120_000);
});
