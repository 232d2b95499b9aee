// The storm's load generator (a bench child): `StormClient`s spread over the balancer replicas,
// most upgrading to WebSocket, some polling-only. `storm:arm` starts counting: which clients
// lost their connection, when each was connected again, failed attempts, recovered sessions.
import { Agent } from "node:http";
import { ready, serve } from "../../lib/ipc.js";
import { type Backoff, StormClient } from "./storm-client.js";

/** `connect`: `count` clients over `balancers` (round robin); every `pollingEvery`-th polling-only. */
export interface ConnectArgs {
  balancers: string[];
  count: number;
  pollingEvery: number;
  backoff: Backoff;
  /** Clients connecting at once. */
  concurrency: number;
}

/** `storm:arm`: the sid tag of the node about to be killed. */
export interface ArmArgs {
  tag: string;
}

/** `status` reply, since the last `storm:arm`. */
export interface StormStatus {
  clients: number;
  connected: number;
  /** Clients on the killed node when armed. */
  expected: number;
  /** Clients that lost their connection (any node). */
  lost: number;
  /** Of the `expected` clients, those that lost their connection. */
  victimsLost: number;
  /** Reconnections completed. */
  reconnected: number;
  /** Of which the old session came back (connection state recovery). */
  recovered: number;
  failedAttempts: number;
  /** Reconnections completed, by transport. */
  reconnectedWebsocket: number;
  /** Monotonic µs (nowMicros) of the first and last completed reconnection. */
  firstAt: number;
  lastAt: number;
  /** Broadcast events received (the pre-kill broadcast that gives recovery its offset). */
  events: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
const clients: StormClient[] = [];
let armed: StormStatus = emptyStatus();
const lostClients = new Set<StormClient>();
/** The clients on the node about to be killed, at `storm:arm`. */
let victims = new Set<StormClient>();
/** Monotonic µs (nowMicros) of each completed reconnection since `storm:arm`. */
let reconnectedAt: number[] = [];
let onConnected: (() => void) | undefined;

function emptyStatus(): StormStatus {
  return {
    clients: 0,
    connected: 0,
    expected: 0,
    lost: 0,
    victimsLost: 0,
    reconnected: 0,
    recovered: 0,
    failedAttempts: 0,
    reconnectedWebsocket: 0,
    firstAt: 0,
    lastAt: 0,
    events: 0,
  };
}

const events = {
  lost(client: StormClient): void {
    lostClients.add(client);
    armed.lost++;
    if (victims.has(client)) armed.victimsLost++;
  },
  connected(client: StormClient, recovered: boolean, at: number): void {
    onConnected?.();
    if (!lostClients.delete(client)) return;
    armed.reconnected++;
    if (client.websocket) armed.reconnectedWebsocket++;
    if (recovered) armed.recovered++;
    if (armed.firstAt === 0) armed.firstAt = at;
    armed.lastAt = at;
    reconnectedAt.push(at);
  },
  failedAttempt(): void {
    armed.failedAttempts++;
  },
  event(): void {
    armed.events++;
  },
};

async function connect(args: ConnectArgs): Promise<number> {
  const first = clients.length;
  for (let i = 0; i < args.count; i++) {
    clients.push(
      new StormClient({
        base: args.balancers[i % args.balancers.length] ?? "",
        websocket: (first + i + 1) % args.pollingEvery !== 0,
        agent,
        backoff: args.backoff,
        events,
      }),
    );
  }
  // Start them `concurrency` at a time: each start waits for some client to be connected.
  let started = first;
  let waiting = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("clients not connected in 300 s")), 300_000);
    const next = (): void => {
      while (started < clients.length && waiting < args.concurrency) {
        waiting++;
        clients[started++]?.start();
      }
      if (started === clients.length && connectedCount() === clients.length) {
        clearTimeout(timer);
        onConnected = undefined;
        resolve();
      }
    };
    onConnected = () => {
      waiting--;
      next();
    };
    next();
  });
  return clients.length;
}

function connectedCount(): number {
  let n = 0;
  for (const client of clients) if (client.connected) n++;
  return n;
}

serve({
  connect: (args) => connect(args as ConnectArgs),
  "storm:arm": (args) => {
    const { tag } = args as ArmArgs;
    armed = emptyStatus();
    lostClients.clear();
    reconnectedAt = [];
    victims = new Set(clients.filter((c) => c.connected && c.sid.startsWith(tag)));
    armed.expected = victims.size;
  },
  "storm:times": () => reconnectedAt,
  status: (): StormStatus => ({ ...armed, clients: clients.length, connected: connectedCount() }),
  close: () => {
    for (const client of clients.splice(0)) client.stop();
    agent.destroy();
  },
});
ready(null);
