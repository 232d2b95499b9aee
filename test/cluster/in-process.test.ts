// The adapter contract on the in-process bus (the reference bus: no broker, same code path).
import { InProcessBus, topicOf } from "@switchyard/server";
import {
  CONTRACT_OPTIONS,
  describeAdapterContract,
  describeRecoveryContract,
  RecoveringPeer,
  settleSubscriptions,
  startNode,
  waitForMembers,
  waitUntil,
} from "@switchyard/server/testing";
import { io } from "socket.io-client";
import { describe, expect, it } from "vitest";

describeAdapterContract(
  "in-process bus",
  async () => {
    const bus = new InProcessBus();
    return {
      adapter: (options) => bus.adapter(options),
      inject: (nsp, payload) => bus.publish(topicOf(nsp, { kind: "all" }), payload),
      close: async () => undefined,
    };
  },
  { io },
);

describeRecoveryContract(
  "in-process bus",
  async () => {
    const bus = new InProcessBus();
    return {
      adapter: (options) => bus.adapter(options),
      inject: (nsp, payload) => bus.publish(topicOf(nsp, { kind: "all" }), payload),
      close: async () => undefined,
    };
  },
  { io },
);

describe("recovery across a bus outage (in-process bus)", () => {
  it("writes a gap where a publisher could not store events: a restore across it gets a new session", async () => {
    const bus = new InProcessBus();
    const contract = {
      adapter: bus.adapter.bind(bus),
      inject: async () => undefined,
      close: async () => undefined,
    };
    const recovery = { connectionStateRecovery: {} };
    const [a, b] = [
      await startNode(contract, CONTRACT_OPTIONS, recovery),
      await startNode(contract, CONTRACT_OPTIONS, recovery),
    ];
    const peer = await RecoveringPeer.connect(io, a);
    try {
      await waitForMembers([a, b], 2);
      const room = "gap-room";
      await peer.socket.join(room);
      await settleSubscriptions([a, b]);
      b.io.to(room).emit("seq", { from: "b", to: room, n: 1 });
      await waitUntil(() => peer.got.length === 1, "a first event");
      await peer.cut();
      const logged = (): number => {
        const read = bus.history.read("/", [room], { major: 0, minor: 0 });
        return read.ok ? read.entries.length : -1;
      };
      const before = logged();
      bus.setOnline(false);
      b.io.to(room).emit("seq", { from: "b", to: room, n: 2 });
      await (b.adapter() as unknown as { whenStored(): Promise<void> }).whenStored();
      expect(logged()).toBe(before);
      bus.setOnline(true);
      // Once the bus takes appends again, the publisher writes the gap into the room's log.
      await waitUntil(() => logged() === before + 1, "the gap is written", 5_000);
      const misses = a.adapter().recoveryCounters?.misses.gap ?? 0;
      await peer.moveTo(a);
      expect(peer.client.recovered).toBe(false);
      expect(a.adapter().recoveryCounters?.misses.gap).toBe(misses + 1);
    } finally {
      peer.close();
      await Promise.all([a.close(), b.close()]);
    }
  });
});
