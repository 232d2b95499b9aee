// What every contract group sets up the same way: the clients a test opens and the peers it
// starts, all closed after each test.
import { afterEach } from "vitest";
import { closedAfterEach } from "../support/closed-after-each.js";
import { Clients, type Contract, type ContractIt, type StartPeer } from "./helpers.js";

/** A contract group's view of its contract, with cleanup after each test. */
export interface ContractSession {
  /** The contract's `it` (known server bugs run as `it.fails`). */
  it: ContractIt;
  /** Opens clients of the contract's client; every one is closed after the test. */
  clients: Clients;
  /** Starts a peer; one the test did not close itself is closed after the test. */
  startPeer: StartPeer;
}

/** Registers the cleanup of the calling group (afterEach hooks) and returns its session. */
export function contractSession({ startPeer, client, it }: Contract): ContractSession {
  const tracked = closedAfterEach(startPeer);
  const clients = new Clients(client.lookup);
  // Registered last, so it runs first: clients are closed before their peers.
  afterEach(() => clients.closeAll());
  return { it, clients, startPeer: tracked };
}
