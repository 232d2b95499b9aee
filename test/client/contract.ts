// The client contract suite: every behaviour the client must show against a Socket.IO server.
// Each peer test file calls describePeer with a way to start its server.
import { describe } from "vitest";
import { ackSuite } from "./contract-acks.js";
import { connectSuite } from "./contract-connect.js";
import { engineSuite } from "./contract-engine.js";
import { namespaceSuite } from "./contract-namespaces.js";
import { reconnectSuite } from "./contract-reconnect.js";
import { recoverySuite } from "./contract-recovery.js";
import type { StartPeer } from "./helpers.js";

/** Runs the whole client contract against one server implementation. */
export function describePeer(name: string, startPeer: StartPeer): void {
  describe(`@switchyard/client against ${name}`, () => {
    describe("connection and messaging", () => connectSuite(startPeer));
    describe("acks, timeouts and retries", () => ackSuite(startPeer));
    describe("engine options", () => engineSuite(startPeer));
    describe("namespaces and io() lookup", () => namespaceSuite(startPeer));
    describe("reconnection", () => reconnectSuite(startPeer));
    describe("connection-state recovery", () => recoverySuite(startPeer));
  });
}
