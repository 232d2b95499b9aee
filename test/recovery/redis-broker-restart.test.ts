import { waitUntil } from "@switchyard/server/testing";
import type { Balancer } from "@switchyard/sticky";
import { io as ioc } from "socket.io-client";
import { afterEach, describe, expect, inject, it } from "vitest";
import { startLocalService, type TestService } from "../support/services.js";
import type { FleetNode } from "./support/fleet.js";
import { startFleetBehindBalancer } from "./support/fleet-balancer.js";
import { expectNoLoss, type Scenario, startScenario, stopScenario } from "./support/scenario.js";
import { settle, type TrackedClient } from "./support/streams.js";

const available = inject("redisUrl") !== undefined;
const CLIENTS = 12;

describe.skipIf(!available)("recovery faults: a Redis restart", () => {
  let nodes: FleetNode[] = [];
  let balancer: Balancer | undefined;
  let scenario: Scenario | undefined;
  let redis: TestService | undefined;

  afterEach(async () => {
    await stopScenario(scenario, nodes);
    await balancer?.close();
    await redis?.close();
    [nodes, balancer, scenario, redis] = [[], undefined, undefined, undefined];
  });

  async function start(persistent: boolean): Promise<Scenario> {
    redis = await startLocalService("redis", { persistent });
    const fleet = await startFleetBehindBalancer({ REDIS_URL: redis.url }, "rr");
    [nodes, balancer] = [fleet.nodes, fleet.balancer];
    scenario = await startScenario(nodes, fleet.url, CLIENTS);
    return scenario;
  }

  /** Resolves once every node's Redis clients are ready again and its subscriptions are made. */
  async function nodesBack(): Promise<void> {
    await waitUntil(
      async () => {
        const stats = await Promise.all(nodes.map((node) => node.command("stats")));
        return stats.every((s) => s["busConnected"] === true);
      },
      "the nodes are back on Redis",
      15_000,
    );
    await Promise.all(nodes.map((node) => node.command("settle")));
  }

  /** Stops Redis for a moment and starts it again; resolves once every node is ready again. */
  async function restartRedis(): Promise<void> {
    await redis?.stop();
    await redis?.start();
    await nodesBack();
  }

  /** Cuts the first `count` clients and waits until they are back (through the balancer). */
  async function cutAndReturn(clients: TrackedClient[], count: number): Promise<void> {
    const cut = clients.slice(0, count);
    for (const client of cut) client.socket.io.engine.close();
    await waitUntil(
      () => cut.every((c) => c.returns.length > 0 && c.socket.connected),
      "back",
      15_000,
    );
  }

  it("without persistence: later recoveries work on the new history, older offsets get new sessions", async () => {
    const { clients, streams } = await start(false);
    for (let i = 0; i < 5; i++) await streams.round();
    // An offset from before the restart, kept aside.
    const stale = clients[CLIENTS - 1] as TrackedClient;
    const old = {
      pid: Reflect.get(stale.socket, "_pid") as string,
      offset: Reflect.get(stale.socket, "_lastOffset") as string,
    };
    await restartRedis();
    // Every node subscribed again: publishing resumes; a round all clients get shows it.
    for (let i = 0; i < 5; i++) await streams.round();
    await settle(clients, streams);
    await cutAndReturn(clients, 4);
    for (let i = 0; i < 5; i++) await streams.round();
    const report = await settle(clients, streams);
    console.info("redis restart without persistence:", JSON.stringify(report));
    expectNoLoss(report, 4);
    const returning = ioc(`http://127.0.0.1:${balancer?.address?.port}`, {
      forceNew: true,
      reconnection: false,
      transports: ["websocket"],
      auth: { pid: old.pid, offset: old.offset },
    });
    try {
      await new Promise((resolve) => returning.once("connect", () => resolve(undefined)));
      expect(returning.recovered).toBe(false);
    } finally {
      returning.disconnect();
    }
  }, 90_000);

  it("with an append-only file: a client cut after the restart gets everything since its offset", async () => {
    const { clients, streams } = await start(true);
    for (let i = 0; i < 5; i++) await streams.round();
    await settle(clients, streams);
    // Cut while Redis is down: they come back once it is up again, with offsets from before.
    await redis?.stop();
    for (const client of clients.slice(0, 4)) client.socket.io.engine.close();
    await redis?.start();
    await nodesBack();
    for (let i = 0; i < 5; i++) await streams.round();
    const report = await settle(clients, streams);
    console.info("redis restart with an append-only file:", JSON.stringify(report));
    expectNoLoss(report, 4);
  }, 90_000);
});
