// Failure half of the adapter contract: nodes leaving with and without ADAPTER_CLOSE, and hostile
// bytes on the bus. Runs inside describeAdapterContract with that suite's bus and nodes.
import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { CLUSTER_PROTOCOL_VERSION, encodeClusterMessage } from "../adapter/cluster-message.js";
import {
  type ClusterNode,
  type ContractBus,
  type ContractIo,
  Peers,
  startNode,
  waitFor,
  waitForMembers,
  waitUntil,
} from "./cluster-harness.js";

interface Suite {
  bus: ContractBus;
  nodes: ClusterNode[];
  io: ContractIo;
}

/** Makes a node deaf and mute without ADAPTER_CLOSE: as if its process was killed. */
function freeze(node: ClusterNode): void {
  Object.assign(node.adapter(), {
    doPublish: () => Promise.resolve(),
    onPayload: () => undefined,
  });
}

/** Envelope-shaped messages that break one rule each (encoded as the wire does). */
function hostileMessages(nsp: string): Uint8Array[] {
  const envelope = { v: CLUSTER_PROTOCOL_VERSION, uid: "hostile-node", nsp };
  const encode = (value: unknown): Uint8Array => encodeClusterMessage(value as never);
  const wireOpts = { rooms: [], except: [], flags: {} };
  return [
    randomBytes(64),
    new Uint8Array(0),
    Uint8Array.from([0xc1]),
    // A recovery fence's first byte, outside the ordered path (no position): not a fence.
    Uint8Array.from([0x00, 0x41, 0x42]),
    randomBytes(1 << 20),
    encode("just a string"),
    encode([1, 2, 3]),
    encode({ ...envelope, v: 999, type: 2 }),
    encode({ ...envelope, type: 99 }),
    encode({ ...envelope, type: "3" }),
    encode({ ...envelope, type: 3, data: { opts: wireOpts, packet: { type: 0, nsp, data: [] } } }),
    encode({ ...envelope, type: 3, data: { opts: { rooms: "x" }, packet: {} } }),
    encode({
      ...envelope,
      type: 3,
      data: {
        opts: { ...wireOpts, flags: { local: true } },
        packet: { type: 2, nsp, data: ["msg"] },
      },
    }),
    encode({ ...envelope, type: 4, data: { opts: wireOpts, rooms: [1, 2] } }),
    encode({ ...envelope, type: 8, data: { requestId: 5, sockets: [] } }),
    encode({ ...envelope, type: 11, data: { requestId: "r", clientCount: -1 } }),
    encode({ ...envelope, type: 9, data: { packet: [] } }),
  ];
}

/** Registers the failure tests; `get` returns the running suite's state. */
export function describeFailureContract(get: () => Suite): void {
  it("drops a node that says ADAPTER_CLOSE from every serverCount without waiting for the timeout", async () => {
    const { bus, nodes } = get();
    const extra = await startNode(bus);
    try {
      await waitForMembers([...nodes, extra], 4);
      const started = Date.now();
      await extra.close();
      await waitForMembers(nodes, 3);
      // The heartbeat timeout of the contract is 2500 ms: this was the close message.
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await extra.close();
    }
  });

  it("completes a fetchSockets without a node that vanished, once its heartbeat times out", async () => {
    const { bus, nodes, io } = get();
    const [a] = nodes as [ClusterNode];
    const extra = await startNode(bus);
    const peers = new Peers(io);
    try {
      await waitForMembers([...nodes, extra], 4);
      const mine = await peers.connect(a);
      freeze(extra);
      const started = Date.now();
      const left = waitFor<[string, string]>(a.adapter(), "node-left", 10_000);
      const found = await a.io.timeout(15_000).fetchSockets();
      expect(found.map((s) => s.id)).toContain(mine.socket.id);
      expect((await left)[1]).toBe("timeout");
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await a.adapter().serverCount()).toBe(3);
    } finally {
      peers.closeAll();
      await extra.close();
    }
  });

  it("drops hostile bus messages, counts each one, and keeps delivering", async () => {
    const { bus, nodes, io } = get();
    const peers = new Peers(io);
    try {
      const before = nodes.map((node) => node.adapter().counters.dropped);
      const messages = hostileMessages("/");
      for (const message of messages) await bus.inject("/", message);
      await waitUntil(
        () =>
          nodes.every(
            (node, i) => node.adapter().counters.dropped - (before[i] ?? 0) >= messages.length,
          ),
        "every node dropped every hostile message",
      );
      const [a, b] = nodes as [ClusterNode, ClusterNode];
      const peer = await peers.connect(b);
      const arrived = waitFor(peer.client, "msg");
      a.io.emit("msg", "still-working");
      expect(await arrived).toEqual(["still-working"]);
      expect(await a.adapter().serverCount()).toBe(3);
    } finally {
      peers.closeAll();
    }
  });
}
