// The broker-outage runs shared by the Redis and NATS adapters (*-faults.test.ts): two nodes on
// a private broker the tests stop and restart, every unhandled failure and adapter error
// collected, and the chat every outage test starts from.
import { setTimeout as delay } from "node:timers/promises";
import type { AdapterError } from "@switchyard/server";
import {
  type ClusterNode,
  type ContractBus,
  fence,
  type Peer,
  Peers,
  settleSubscriptions,
  startNode,
  waitFor,
  waitForMembers,
} from "@switchyard/server/testing";
import { io } from "socket.io-client";
import { afterAll, beforeAll, expect } from "vitest";
import type { TestService } from "../../support/services.js";

/** How long the broker stays down: the fault itself, not a synchronisation. */
export const OUTAGE_MS = 2000;

/** Two nodes on a bus of a private broker, and what went wrong while it was down. */
export interface OutageCluster<B extends ContractBus> {
  readonly peers: Peers;
  /** The two nodes, a and b. */
  readonly nodes: ClusterNode[];
  /** Unhandled rejections and uncaught exceptions of the run: every test expects none. */
  readonly failures: unknown[];
  /** Every `error` event of the nodes' adapters. */
  readonly adapterErrors: AdapterError[];
  /** The bus (opened before the tests). */
  readonly bus: B;
}

/**
 * Before the tests of the calling describe block: opens the bus on `service` and starts two
 * nodes on it. After them: closes the clients, the nodes, the bus and the service.
 */
export function startOutageCluster<B extends ContractBus>(
  service: TestService | undefined,
  openBus: () => B | Promise<B>,
): OutageCluster<B> {
  const peers = new Peers(io);
  const nodes: ClusterNode[] = [];
  const failures: unknown[] = [];
  const adapterErrors: AdapterError[] = [];
  const onFailure = (err: unknown): void => {
    failures.push(err);
  };
  let bus: B | undefined;

  beforeAll(async () => {
    process.on("unhandledRejection", onFailure);
    process.on("uncaughtException", onFailure);
    bus = await openBus();
    nodes.push(await startNode(bus), await startNode(bus));
    for (const node of nodes)
      node.adapter().on("error", (err: AdapterError) => adapterErrors.push(err));
    await waitForMembers(nodes, 2);
  });

  afterAll(async () => {
    peers.closeAll();
    await Promise.allSettled(nodes.map((node) => node.close()));
    await bus?.close();
    await service?.close();
    process.off("unhandledRejection", onFailure);
    process.off("uncaughtException", onFailure);
  });

  return {
    peers,
    nodes,
    failures,
    adapterErrors,
    get bus(): B {
      if (bus === undefined) throw new Error("the outage cluster has not started");
      return bus;
    },
  };
}

/** The chat of an outage test: a1 and a2 on node a, b1 on node b, all three in room "chat". */
export interface Chat {
  a: ClusterNode;
  b: ClusterNode;
  a1: Peer;
  a2: Peer;
  b1: Peer;
}

/** Opens the chat and checks that a broadcast from a reaches b1 before the outage. */
export async function openChat({ nodes, peers }: OutageCluster<ContractBus>): Promise<Chat> {
  const [a, b] = nodes as [ClusterNode, ClusterNode];
  const a1 = await peers.connect(a);
  const a2 = await peers.connect(a);
  const b1 = await peers.connect(b);
  for (const peer of [a1, a2, b1]) await peer.socket.join("chat");
  await settleSubscriptions(nodes);
  a.io.to("chat").emit("msg", "before");
  await fence(a, [a1, a2, b1]);
  expect(b1.got).toEqual([["before"]]);
  return { a, b, a1, a2, b1 };
}

/** While the broker is down: a broadcast from a still reaches a1 and a2 at once (no broker). */
export async function expectLocalDelivery({ a, a1, a2 }: Chat): Promise<void> {
  const local = [a1, a2].map((peer) => waitFor(peer.client, "during", 1000));
  a.io.to("chat").emit("during", "local-only");
  await Promise.all(local);
}

/** Waits out the rest of an outage begun at `started`; the clients stayed connected through it. */
export async function outlastOutage({ a1, b1 }: Chat, started: number): Promise<void> {
  await delay(Math.max(0, OUTAGE_MS - (Date.now() - started)));
  expect(a1.client.connected && b1.client.connected).toBe(true);
}
