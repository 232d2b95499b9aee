// The node faults behind the balancer, shared by every bus (redis-balancer, nats-balancer): 3
// node processes, clients in rooms (websocket and polling-only) receiving numbered streams
// published by every node, while a node is SIGKILLed or every node is shut down and restarted in
// turn. Per client: no gap, no duplicate, in order, and every return a recovery.
import { waitUntil } from "@switchyard/server/testing";
import type { Balancer } from "@switchyard/sticky";
import { afterEach, describe, it } from "vitest";
import { type FleetNode, killNode, shutdownNode, startFleetNode } from "./fleet.js";
import { startFleetBehindBalancer } from "./fleet-balancer.js";
import { expectNoLoss, runFault, type Scenario, startScenario, stopScenario } from "./scenario.js";

const CLIENTS = 24;

/** Registers the suite; `env()` is the bus's environment for one run's nodes (fresh prefix). */
export function describeBalancerFaults(
  name: string,
  env: () => Record<string, string>,
  skip: boolean,
): void {
  describe.skipIf(skip)(`recovery faults: 3 nodes on ${name} behind the balancer`, () => {
    let nodes: FleetNode[] = [];
    let balancer: Balancer | undefined;
    let scenario: Scenario | undefined;

    afterEach(async () => {
      await stopScenario(scenario, nodes);
      await balancer?.close();
      [nodes, balancer, scenario] = [[], undefined, undefined];
    });

    /** Three nodes on a fresh prefix, and a balancer routing by their sid tags. */
    async function start(): Promise<{ runEnv: Record<string, string>; balancerUrl: string }> {
      const fleet = await startFleetBehindBalancer(env(), "rec");
      [nodes, balancer] = [fleet.nodes, fleet.balancer];
      return { runEnv: fleet.env, balancerUrl: fleet.url };
    }

    it("recovers every client of a SIGKILLed node on the survivors", async () => {
      const { balancerUrl } = await start();
      scenario = await startScenario(nodes, balancerUrl, CLIENTS);
      const victim = nodes[2] as FleetNode;
      const onVictim = (await victim.command("stats"))["sockets"] as number;
      const report = await runFault(scenario, async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        await scenario?.streams.retire(victim);
        await killNode(victim);
      });
      console.info(`${name}, SIGKILL of one node:`, JSON.stringify({ onVictim, ...report }));
      expectNoLoss(report, onVictim);
    }, 90_000);

    it("recovers every client through a rolling io.shutdown() of every node", async () => {
      const { runEnv, balancerUrl } = await start();
      scenario = await startScenario(nodes, balancerUrl, CLIENTS);
      const current = scenario;
      const report = await runFault(current, async () => {
        for (const [i, node] of [...nodes].entries()) {
          await current.streams.retire(node);
          await shutdownNode(node);
          const back = await startFleetNode(node.id, runEnv, Number(new URL(node.url).port));
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
      console.info(`${name}, rolling shutdown:`, JSON.stringify(report));
      expectNoLoss(report, CLIENTS);
    }, 120_000);
  });
}
