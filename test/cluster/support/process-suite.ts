// The multi-process run shared by the Redis and NATS adapters: every node in its own OS process
// (fixtures/<bus>-node.ts) with one official client each, and the bus's Emitter in this process.
// Each *-processes.test.ts file starts the cluster in its describe block, then picks the shared
// tests below and adds its bus's own between them.
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { waitFor, waitUntil } from "@switchyard/server/testing";
import { type Socket as ClientSocket, io as ioc } from "socket.io-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { terminate } from "../../support/child-exit.js";
import { ask, countsAll, spawnNode } from "./node-processes.js";

/** The part of an adapter's Emitter the shared tests use. */
export interface RoomEmitter {
  to(room: string): { emit(event: string, ...args: unknown[]): unknown };
}

/** The bus of a multi-process run. */
export interface ProcessBus {
  /** The fixture every node process runs (test/cluster/fixtures/<fixture>). */
  fixture: string;
  /** Added to the environment of every node process: the broker's URL and the run's prefix. */
  env: Record<string, string | undefined>;
  /** How many node processes to start. */
  nodes: number;
  /** Opens this process's own connection to the broker, for the Emitter; closed after the run. */
  connect(): Promise<{ emitter(): RoomEmitter; close(): unknown }>;
}

/** The running node processes and their clients: `clients[i]` is connected to `children[i]`. */
export interface ProcessCluster {
  readonly children: ChildProcess[];
  readonly clients: ClientSocket[];
  /** An Emitter of the bus, in this (non-server) process. */
  emitter(): RoomEmitter;
}

/** Starts the node processes before the tests of the calling describe block; stops them after. */
export function startProcessCluster(bus: ProcessBus): ProcessCluster {
  const children: ChildProcess[] = [];
  const clients: ClientSocket[] = [];
  let connection: Awaited<ReturnType<ProcessBus["connect"]>> | undefined;

  beforeAll(async () => {
    connection = await bus.connect();
    const started = await Promise.all(
      Array.from({ length: bus.nodes }, () => spawnNode(bus.fixture, bus.env)),
    );
    for (const { child, port } of started) {
      children.push(child);
      const client = ioc(`http://127.0.0.1:${port}`, {
        forceNew: true,
        reconnection: false,
        transports: ["websocket"],
      });
      clients.push(client);
      await waitFor(client, "connect");
    }
    await waitUntil(
      () => countsAll(clients, bus.nodes),
      `${bus.nodes} processes count ${bus.nodes} servers`,
      15_000,
    );
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await Promise.all(children.map((child) => terminate(child)));
    await connection?.close();
  });

  return {
    children,
    clients,
    emitter: () => {
      if (connection === undefined) throw new Error("the process cluster has not started");
      return connection.emitter();
    },
  };
}

/** Room broadcasts, fetchSockets and the Emitter reach the room's members in every process. */
export function itSharesRoomsAcrossProcesses({ clients, emitter }: ProcessCluster): void {
  it("delivers a room broadcast from one process to the members in every process", async () => {
    for (const client of clients) await ask(client, "join", "proc-room");
    const arrived = clients.map((c) => waitFor(c, "hello"));
    clients[0]?.emit("broadcast", "proc-room", "hello", { from: 0 });
    for (const args of await Promise.all(arrived)) expect(args).toEqual([{ from: 0 }]);
  });

  it("fetches the sockets of every process", async () => {
    const ids = await ask<string[]>(clients[1] as ClientSocket, "fetch", "proc-room");
    expect(ids).toEqual(clients.map((c) => c.id).sort());
  });

  it("reaches every process's room members from an Emitter in a non-server process", async () => {
    const arrived = clients.map((c) => waitFor(c, "from-emitter"));
    emitter().to("proc-room").emit("from-emitter", 7);
    for (const args of await Promise.all(arrived)) expect(args).toEqual([7]);
  });
}

/**
 * SIGKILLs the third node (no ADAPTER_CLOSE): its peers drop it after the heartbeat timeout.
 * Runs last, when the first three nodes are the only ones left.
 */
export function itDropsAKilledNode({ children, clients }: ProcessCluster): void {
  it("stops counting a node killed without ADAPTER_CLOSE after the heartbeat timeout", async () => {
    const victim = children[2] as ChildProcess;
    const exited = once(victim, "exit");
    victim.kill("SIGKILL");
    await exited;
    const started = Date.now();
    const survivor = clients[0] as ClientSocket;
    await waitUntil(
      async () => (await ask<number>(survivor, "count")) === 2,
      "the dead node is dropped",
      10_000,
    );
    expect(Date.now() - started).toBeLessThan(8000);
    const ids = await ask<string[]>(survivor, "fetch", "proc-room");
    expect(ids).toEqual([clients[0]?.id, clients[1]?.id].sort());
  });
}
