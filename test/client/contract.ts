// The client contract suite: every behaviour the client must show against a Socket.IO server.
// Each peer test file calls describePeer with a way to start its server, and may list cases that
// fail because of a known bug of that server: those run as `it.fails`, so a fix shows up as a
// failure asking to take the name off the list. The same suite can drive the official
// socket.io-client instead of ours, to tell a client bug from a server bug.
import { beforeAll, describe, it, TestRunner } from "vitest";
import { ackSuite } from "./contract-acks.js";
import { connectSuite } from "./contract-connect.js";
import { deliverySuite } from "./contract-delivery.js";
import { engineSuite } from "./contract-engine.js";
import { namespaceSuite } from "./contract-namespaces.js";
import { reconnectSuite } from "./contract-reconnect.js";
import { recoverySuite } from "./contract-recovery.js";
import {
  type Contract,
  type ContractClient,
  type ContractIt,
  type StartPeer,
  switchyardClient,
} from "./helpers.js";

/** Options of one peer's run of the contract. */
export interface PeerRunOptions {
  /** The client to drive. @default switchyardClient */
  client?: ContractClient;
  /**
   * Cases that fail because of a known bug of this server, by their name below the top describe
   * block: `"<group> > [<sub-group> > ]<test name>"`, for example
   * `"acks, timeouts and retries > acks a server event only once even if the client calls the ack twice"`.
   * A name that matches no case fails the run.
   */
  knownServerBugs?: readonly string[];
}

/** Runs the whole client contract against one server implementation. */
export function describePeer(
  name: string,
  startPeer: StartPeer,
  options: PeerRunOptions = {},
): void {
  const client = options.client ?? switchyardClient;
  const known = new Set(options.knownServerBugs ?? []);
  const defined = new Set<string>();
  const top = `${client.name} against ${name}`;
  const contractIt: ContractIt = (title, fn) => {
    const parent = TestRunner.getCurrentSuite().suite?.fullTestName ?? "";
    const key = `${parent.slice(top.length + " > ".length)} > ${title}`;
    defined.add(key);
    if (known.has(key)) it.fails(`[known server bug] ${title}`, fn);
    else it(title, fn);
  };
  const contract: Contract = { startPeer, client, it: contractIt };
  describe(top, () => {
    // Collection is complete by the time this runs, so every case has been defined.
    beforeAll(() => {
      const stale = [...known].filter((key) => !defined.has(key));
      if (stale.length > 0) {
        throw new Error(`knownServerBugs names no contract case: ${JSON.stringify(stale)}`);
      }
    });
    describe("connection and messaging", () => connectSuite(contract));
    describe("acks, timeouts and retries", () => ackSuite(contract));
    describe("engine options", () => engineSuite(contract));
    describe("namespaces and io() lookup", () => namespaceSuite(contract));
    describe("reconnection", () => reconnectSuite(contract));
    describe("connection-state recovery", () => recoverySuite(contract));
    describe("delivery through the server's fan-out", () => deliverySuite(contract));
  });
}
