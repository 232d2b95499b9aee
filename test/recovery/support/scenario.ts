// A recovery fault scenario: a fleet of node processes behind a router, clients in rooms, numbered
// streams from every node, a fault while they run, then the per-client report.
import { waitUntil } from "@switchyard/server/testing";
import { expect } from "vitest";
import { type FleetNode, stopFleet } from "./fleet.js";
import { connectClients, type Report, Streams, settle, type TrackedClient } from "./streams.js";

/** A running scenario. */
export interface Scenario {
  readonly nodes: FleetNode[];
  readonly clients: TrackedClient[];
  readonly streams: Streams;
}

/** Connects `count` clients through `url`, settles the nodes' subscriptions, primes the streams. */
export async function startScenario(
  nodes: FleetNode[],
  url: string,
  count: number,
): Promise<Scenario> {
  const clients = await connectClients(url, count);
  await Promise.all(nodes.map((node) => node.command("settle")));
  const streams = new Streams(nodes);
  // A first round that everyone receives: every client has an offset to come back with.
  await streams.round();
  await waitUntil(
    () => clients.every((c) => c.got.length >= nodes.length * 2),
    "the first round arrived",
    10_000,
  );
  return { nodes, clients, streams };
}

/** Runs the streams while `fault` runs, then keeps them going for `afterMs`; returns the report. */
export async function runFault(
  scenario: Scenario,
  fault: () => Promise<void>,
  afterMs = 500,
): Promise<Report> {
  const { clients, streams } = scenario;
  const faulted = fault().then(async () => {
    await waitUntil(() => clients.every((c) => c.socket.connected), "every client is back", 20_000);
    await new Promise((resolve) => setTimeout(resolve, afterMs));
  });
  await streams.runWhile(faulted);
  return settle(clients, streams);
}

/** The recovery guarantee: no gap, no duplicate, in order, and every return a recovery. */
export function expectNoLoss(report: Report, minReturns: number): void {
  expect(report).toMatchObject({
    gaps: 0,
    late: 0,
    duplicates: 0,
    outOfOrder: 0,
    notRecovered: 0,
    broken: [],
  });
  expect(report.returns).toBeGreaterThanOrEqual(minReturns);
}

/** Closes the clients and stops the fleet. */
export async function stopScenario(
  scenario: Scenario | undefined,
  nodes: FleetNode[],
): Promise<void> {
  for (const client of scenario?.clients ?? []) client.socket.disconnect();
  await stopFleet(nodes);
}
