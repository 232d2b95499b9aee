// Numbered event streams for the recovery fault tests: every live node publishes, in rounds, one
// event to each target (two rooms and the whole namespace), numbered per (node, target); clients
// (official socket.io-client, through a router) record what they get and whether each of their
// returns was a recovery. The assertion: per client and stream, exactly 1..n (no gap, no
// duplicate), n being what the node acknowledged as stored.
import { waitUntil } from "@switchyard/server/testing";
import { type Socket as ClientSocket, io as connect } from "socket.io-client";
import type { FleetNode } from "./fleet.js";

export const TARGETS = ["r0", "r1", "*"] as const;

interface Event {
  from: string;
  to: string;
  n: number;
}

/** A client of the test and what it saw. */
export interface TrackedClient {
  readonly socket: ClientSocket;
  readonly rooms: readonly string[];
  readonly got: Event[];
  /** One entry per `connect` after the first: whether it was a recovery. */
  readonly returns: boolean[];
}

/** Connects `count` clients through `url`; every fourth one polls only. */
export async function connectClients(url: string, count: number): Promise<TrackedClient[]> {
  const clients: TrackedClient[] = [];
  for (let i = 0; i < count; i++) {
    const rooms = [TARGETS[i % 2] as string];
    const socket = connect(url, {
      forceNew: true,
      transports: i % 4 === 3 ? ["polling"] : ["polling", "websocket"],
      reconnectionDelay: 100,
      reconnectionDelayMax: 400,
      randomizationFactor: 0.5,
      auth: { rooms },
    });
    const client: TrackedClient = { socket, rooms, got: [], returns: [] };
    let connects = 0;
    socket.on("connect", () => {
      if (connects++ > 0) client.returns.push(socket.recovered);
    });
    socket.on("seq", (event: Event) => client.got.push(event));
    clients.push(client);
  }
  await waitUntil(() => clients.every((c) => c.socket.connected), "every client connected", 15_000);
  return clients;
}

/** The numbered streams of a fleet: who published what, acknowledged as stored. */
export class Streams {
  readonly #acked = new Map<string, number>();
  readonly #live: Set<FleetNode>;
  /** Each node's publish in flight: a node is retired only once it answered. */
  readonly #inFlight = new Map<FleetNode, Promise<void>>();

  constructor(nodes: Iterable<FleetNode>) {
    this.#live = new Set(nodes);
  }

  /**
   * Stops publishing from `node` (it is going away) and resolves once its last publish was
   * answered: what it acknowledged is then exactly what it stored.
   */
  async retire(node: FleetNode): Promise<void> {
    this.#live.delete(node);
    await this.#inFlight.get(node);
  }

  /** Publishes from `node` again (it came back). */
  enlist(node: FleetNode): void {
    this.#live.add(node);
  }

  /** One round: every live node publishes the next event of each of its streams. */
  async round(): Promise<void> {
    await Promise.all(
      [...this.#live].map((node) => {
        const publishing = this.#publish(node);
        this.#inFlight.set(node, publishing);
        return publishing;
      }),
    );
  }

  /** Publishes the next number of each of `node`'s streams; counts them once it answered. */
  async #publish(node: FleetNode): Promise<void> {
    const events = TARGETS.map((to) => ({
      to,
      n: (this.#acked.get(key(node.id, to)) ?? 0) + 1,
    }));
    // A failed request may still have published: the next round sends the same numbers again,
    // and the nodes publish each number once.
    const reply = await node.command("publish", { events }).catch(() => undefined);
    if (reply?.["ok"] !== true) return;
    for (const { to, n } of events) this.#acked.set(key(node.id, to), n);
  }

  /** Rounds until `until()` resolves (at least one), one every `everyMs`. */
  async runWhile(until: Promise<unknown>, everyMs = 20): Promise<void> {
    let done = false;
    const finished = until.finally(() => {
      done = true;
    });
    do {
      await this.round();
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    } while (!done);
    await finished;
  }

  /** What `client` must have received: every acknowledged event of its targets, per stream. */
  expected(client: TrackedClient): Map<string, number> {
    const wanted = new Map<string, number>();
    for (const [stream, n] of this.#acked) {
      const to = stream.split("|")[1] as string;
      if (to === "*" || client.rooms.includes(to)) wanted.set(stream, n);
    }
    return wanted;
  }
}

function key(from: string, to: string): string {
  return `${from}|${to}`;
}

/** Per stream, the numbers a client got, in arrival order. */
export function received(client: TrackedClient): Map<string, number[]> {
  const streams = new Map<string, number[]>();
  for (const event of client.got) {
    const stream = key(event.from, event.to);
    const list = streams.get(stream) ?? [];
    list.push(event.n);
    streams.set(stream, list);
  }
  return streams;
}

/** Waits until every client has at least what it must have (bounded), then returns a report. */
export async function settle(clients: TrackedClient[], streams: Streams): Promise<Report> {
  const complete = (c: TrackedClient): boolean =>
    [...streams.expected(c)].every(([stream, n]) => (received(c).get(stream)?.length ?? 0) >= n);
  // Bounded generously: on a loaded 2-core machine the last events can take seconds to arrive,
  // and a tail still missing at the end is reported apart (`late`) from a hole (`gaps`).
  await waitUntil(
    () => clients.every((c) => c.socket.connected && complete(c)),
    "every event arrived",
    60_000,
  ).catch(() => undefined);
  return report(clients, streams);
}

/** The outcome per client: gaps, duplicates, returns that were not recoveries. */
export interface Report {
  clients: number;
  events: number;
  /** Numbers missing below one the client got (a hole in the stream). */
  gaps: number;
  /** Numbers missing after the last one the client got when the wait ended. */
  late: number;
  duplicates: number;
  /** Events that arrived after a later one of the same stream. */
  outOfOrder: number;
  returns: number;
  notRecovered: number;
  /** A few of the streams that were not exactly 1..n. */
  broken: string[];
}

function report(clients: TrackedClient[], streams: Streams): Report {
  const result: Report = {
    clients: clients.length,
    events: 0,
    gaps: 0,
    late: 0,
    duplicates: 0,
    outOfOrder: 0,
    returns: 0,
    notRecovered: 0,
    broken: [],
  };
  for (const client of clients) {
    const got = received(client);
    for (const [stream, n] of streams.expected(client)) {
      const numbers = got.get(stream) ?? [];
      const before = result.gaps + result.late + result.duplicates + result.outOfOrder;
      countStream(result, numbers, n);
      const defects = result.gaps + result.late + result.duplicates + result.outOfOrder - before;
      // The first few broken streams, for the failure message (a number past n is no defect: an
      // event published by a request whose reply was lost).
      if (defects > 0 && result.broken.length < 6) {
        result.broken.push(`${stream} want 1..${n} got ${numbers}`);
      }
    }
    result.returns += client.returns.length;
    result.notRecovered += client.returns.filter((recovered) => !recovered).length;
  }
  return result;
}

/** Adds one stream's gaps, duplicates and reorderings (it must be exactly 1..n) to `result`. */
function countStream(result: Report, numbers: number[], n: number): void {
  result.events += numbers.length;
  const distinct = new Set(numbers);
  result.duplicates += numbers.length - distinct.size;
  const highest = Math.max(0, ...numbers);
  for (let i = 1; i <= n; i++) {
    if (distinct.has(i)) continue;
    if (i < highest) result.gaps++;
    else result.late++;
  }
  for (let i = 1; i < numbers.length; i++) {
    if ((numbers[i] as number) < (numbers[i - 1] as number)) result.outOfOrder++;
  }
}
