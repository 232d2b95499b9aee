// Property: over random interleavings of publishers (3 nodes), targets (rooms, several rooms,
// except, the namespace, one socket) and disconnection points (a client cut at any moment and
// brought back through any node, possibly while events are still being published), every client
// gets every event meant for it exactly once, in each publisher's order, and every return is a
// recovery. Runs on the in-process bus (the reference bus: same code path as Redis/NATS/IPC).
import { InProcessBus, type ServerOptions } from "@switchyard/server";
import {
  type ClusterNode,
  CONTRACT_OPTIONS,
  type Numbered,
  RecoveringPeer,
  startNode,
  waitForMembers,
  waitUntil,
} from "@switchyard/server/testing";
import fc from "fast-check";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOMS = ["r0", "r1", "r2"] as const;
const CLIENTS = 3;

type Target =
  | { kind: "room"; room: number }
  | { kind: "rooms"; rooms: [number, number] }
  | { kind: "except"; room: number }
  | { kind: "all" }
  | { kind: "client"; client: number };

type Step =
  | { kind: "publish"; node: number; target: Target; count: number }
  | { kind: "cut"; client: number }
  | { kind: "back"; client: number; node: number }
  | { kind: "pause"; ms: number };

const target: fc.Arbitrary<Target> = fc.oneof(
  fc.record({ kind: fc.constant("room" as const), room: fc.nat(2) }),
  fc.record({
    kind: fc.constant("rooms" as const),
    rooms: fc.tuple(fc.nat(2), fc.nat(2)),
  }),
  fc.record({ kind: fc.constant("except" as const), room: fc.nat(2) }),
  fc.record({ kind: fc.constant("all" as const) }),
  fc.record({ kind: fc.constant("client" as const), client: fc.nat(CLIENTS - 1) }),
);

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("publish" as const),
      node: fc.nat(2),
      target,
      count: fc.integer({ min: 1, max: 4 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("cut" as const), client: fc.nat(CLIENTS - 1) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("back" as const),
      client: fc.nat(CLIENTS - 1),
      node: fc.nat(2),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("pause" as const),
      ms: fc.integer({ min: 0, max: 5 }),
    }),
  },
);

/** Whether a client in `rooms` (its own id `sid`) is targeted. */
function targets(t: Target, rooms: Set<number>, client: number): boolean {
  switch (t.kind) {
    case "room":
      return rooms.has(t.room);
    case "rooms":
      return rooms.has(t.rooms[0]) || rooms.has(t.rooms[1]);
    case "except":
      return !rooms.has(t.room);
    case "all":
      return true;
    default:
      return t.client === client;
  }
}

/** One run of the property: its clients, what each must get, and the steps applied. */
class Run {
  readonly peers: RecoveringPeer[] = [];
  readonly expected: Numbered[][] = [];
  readonly notRecovered: number[] = [];
  readonly #nodes: ClusterNode[];
  readonly #memberships: number[][];
  readonly #tag: string;
  readonly #counters = new Map<string, number>();
  /** Each client's cuts and returns run in order on its own chain, concurrently with the rest. */
  readonly #chains: Promise<void>[] = [];
  readonly #away = new Set<number>();

  constructor(nodes: ClusterNode[], memberships: number[][], tag: string) {
    this.#nodes = nodes;
    this.#memberships = memberships;
    this.#tag = tag;
  }

  room(i: number): string {
    return `${this.#tag}-${ROOMS[i]}`;
  }

  async connect(homes: number[]): Promise<void> {
    for (let c = 0; c < CLIENTS; c++) {
      const peer = await RecoveringPeer.connect(io, this.#nodes[homes[c] ?? 0] as ClusterNode);
      this.peers.push(peer);
      this.expected.push([]);
      this.#chains.push(Promise.resolve());
      await peer.socket.join((this.#memberships[c] ?? []).map((i) => this.room(i)));
    }
    await Promise.all(this.#nodes.map((node) => node.adapter().whenSubscribed()));
  }

  publish(node: number, t: Target): void {
    const from = `n${node}`;
    const key = `${from}:${JSON.stringify(t)}`;
    const n = (this.#counters.get(key) ?? 0) + 1;
    this.#counters.set(key, n);
    const event: Numbered = { from, to: JSON.stringify(t), n };
    const io = (this.#nodes[node] as ClusterNode).io;
    if (t.kind === "room") io.to(this.room(t.room)).emit("seq", event);
    else if (t.kind === "rooms")
      io.to([this.room(t.rooms[0]), this.room(t.rooms[1])]).emit("seq", event);
    else if (t.kind === "except") io.except(this.room(t.room)).emit("seq", event);
    else if (t.kind === "all") io.emit("seq", event);
    else io.to((this.peers[t.client] as RecoveringPeer).socket.id).emit("seq", event);
    for (const [c, rooms] of this.#memberships.entries()) {
      if (targets(t, new Set(rooms), c)) this.expected[c]?.push(event);
    }
  }

  async apply(s: Step): Promise<void> {
    if (s.kind === "publish") {
      for (let k = 0; k < s.count; k++) this.publish(s.node, s.target);
    } else if (s.kind === "cut" && !this.#away.has(s.client)) {
      const peer = this.peers[s.client] as RecoveringPeer;
      this.#away.add(s.client);
      this.#chain(s.client, () => peer.cut());
    } else if (s.kind === "back" && this.#away.has(s.client)) {
      this.#comeBack(s.client, s.node);
    } else if (s.kind === "pause") {
      await new Promise((resolve) => setTimeout(resolve, s.ms));
    }
  }

  /** Brings back every client still away and waits for every chain. */
  async settle(): Promise<void> {
    for (const c of [...this.#away]) this.#comeBack(c, (c + 1) % 3);
    await Promise.all(this.#chains);
  }

  #comeBack(c: number, node: number): void {
    const peer = this.peers[c] as RecoveringPeer;
    this.#away.delete(c);
    this.#chain(c, async () => {
      await peer.moveTo(this.#nodes[node] as ClusterNode);
      if (!peer.client.recovered) this.notRecovered.push(c);
    });
  }

  #chain(c: number, next: () => Promise<void>): void {
    this.#chains[c] = (this.#chains[c] as Promise<void>).then(next);
  }
}

/** Every event once (as a set), and each publisher's stream to each target in order. */
async function expectDelivered(peer: RecoveringPeer, want: Numbered[], c: number): Promise<void> {
  await waitUntil(() => peer.got.length >= want.length, `client ${c} got its events`).catch(
    () => undefined,
  );
  const key = (e: Numbered): string => `${e.from}|${e.to}|${e.n}`;
  expect(peer.got.map(key).sort()).toEqual(want.map(key).sort());
  for (const stream of new Set(want.map((e) => `${e.from}|${e.to}`))) {
    const got = peer.got.filter((e) => `${e.from}|${e.to}` === stream).map((e) => e.n);
    expect(got).toEqual([...got].sort((x, y) => x - y));
  }
}

describe("recovery across nodes, over random interleavings (property)", () => {
  const bus = new InProcessBus();
  let nodes: ClusterNode[] = [];
  const recovery: Partial<ServerOptions> = { connectionStateRecovery: {} };

  beforeAll(async () => {
    const contract = {
      adapter: bus.adapter.bind(bus),
      inject: async () => undefined,
      close: async () => undefined,
    };
    nodes = await Promise.all([0, 1, 2].map(() => startNode(contract, CONTRACT_OPTIONS, recovery)));
    await waitForMembers(nodes, 3);
  });

  afterAll(async () => {
    await Promise.allSettled(nodes.map((node) => node.close()));
  });

  it("delivers every event once, in each publisher's order, and recovers every return", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.subarray([0, 1, 2]), { minLength: CLIENTS, maxLength: CLIENTS }),
        fc.array(fc.nat(2), { minLength: CLIENTS, maxLength: CLIENTS }),
        fc.array(step, { minLength: 5, maxLength: 30 }),
        async (memberships, homes, steps) => {
          runs++;
          const run = new Run(
            nodes,
            memberships,
            `p${runs}-${Math.random().toString(36).slice(2, 8)}`,
          );
          try {
            await run.connect(homes);
            // Every client gets one event first, so that it has an offset to come back with.
            for (let c = 0; c < CLIENTS; c++) run.publish(c % 3, { kind: "client", client: c });
            await waitUntil(() => run.peers.every((p) => p.got.length >= 1), "the first events");
            for (const s of steps) await run.apply(s);
            await run.settle();
            expect(run.notRecovered).toEqual([]);
            for (const [c, peer] of run.peers.entries()) {
              await expectDelivered(peer, run.expected[c] as Numbered[], c);
            }
          } finally {
            for (const peer of run.peers) peer.close();
          }
        },
      ),
      { numRuns: 25, seed: Number(process.env["SY_PROPERTY_SEED"] ?? Date.now() % 2 ** 31) },
    );
  }, 120_000);
});
