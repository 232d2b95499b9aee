// Encode once per cluster (adapter/wire-packet.ts) on real servers: a fleet mixing nodes that speak
// only the object form with nodes that speak both (a rolling upgrade), binary attachments and
// namespaces through the encoded form, recovery across it.
import { InProcessBus, topicOf } from "@switchyard/server";
import {
  type ClusterNode,
  CONTRACT_OPTIONS,
  RecoveringPeer,
  settleSubscriptions,
  startNode,
  waitFor,
  waitForMembers,
  waitUntil,
} from "@switchyard/server/testing";
import { io } from "socket.io-client";
import { describe, expect, it } from "vitest";

const recovery = { connectionStateRecovery: {} };
const upTo = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

function emitStream(node: ClusterNode, from: string, first: number, last: number): void {
  for (let n = first; n <= last; n++) node.io.to("r").emit("seq", { from, to: "r", n });
}

describe("encoded broadcasts in a mixed fleet (in-process bus)", () => {
  it("delivers every event once while a node speaks only the object form, then switches to the encoded form", async () => {
    const bus = new InProcessBus();
    const contract = {
      adapter: bus.adapter.bind(bus),
      inject: (nsp: string, payload: Uint8Array) =>
        bus.publish(topicOf(nsp, { kind: "all" }), payload),
      close: async () => undefined,
    };
    const a = await startNode(contract, CONTRACT_OPTIONS, recovery);
    const old = await startNode(
      contract,
      { ...CONTRACT_OPTIONS, encodedBroadcasts: false },
      recovery,
    );
    const c = await startNode(contract, CONTRACT_OPTIONS, recovery);
    const nodes = [a, old, c];
    const peers = await Promise.all(nodes.map((node) => RecoveringPeer.connect(io, node)));
    try {
      await waitForMembers(nodes, 3);
      for (const peer of peers) await peer.socket.join("r");
      await settleSubscriptions(nodes);
      emitStream(a, "a", 1, 30);
      emitStream(old, "old", 1, 30);
      emitStream(c, "c", 1, 30);
      await waitUntil(() => peers.every((peer) => peer.got.length === 90), "every event");
      for (const peer of peers) {
        for (const from of ["a", "old", "c"]) expect(peer.stream(from, "r")).toEqual(upTo(1, 30));
      }
      // Nothing encoded while a node that does not take it is in the fleet.
      for (const node of nodes) expect(node.adapter().counters.publishedEncoded).toBe(0);
      expect(old.adapter().counters.receivedEncoded).toBe(0);

      const [pa, , pc] = peers as [RecoveringPeer, RecoveringPeer, RecoveringPeer];
      await old.close();
      await waitForMembers([a, c], 2);
      emitStream(a, "a", 31, 60);
      await waitUntil(() => pc.stream("a", "r").length === 60, "the encoded events");
      expect(pc.stream("a", "r")).toEqual(upTo(1, 60));
      expect(pa.stream("a", "r")).toEqual(upTo(1, 60));
      expect(a.adapter().counters.publishedEncoded).toBe(30);
      expect(c.adapter().counters.receivedEncoded).toBe(30);

      // Recovery replays encoded events from the history, on another node.
      await pc.cut();
      emitStream(a, "a", 61, 80);
      await waitUntil(() => pa.stream("a", "r").length === 80, "the witness got them");
      await a.adapter().whenStored();
      await pc.moveTo(a);
      expect(pc.client.recovered).toBe(true);
      await waitUntil(() => pc.stream("a", "r").length === 80, "the replay");
      expect(pc.stream("a", "r")).toEqual(upTo(1, 80));
    } finally {
      for (const peer of peers) peer.close();
      await Promise.all(nodes.map((node) => node.close()));
    }
  });

  it("carries binary attachments and a namespace encoded, with the receiving node's offset last", async () => {
    const bus = new InProcessBus();
    const contract = {
      adapter: bus.adapter.bind(bus),
      inject: async () => undefined,
      close: async () => undefined,
    };
    const a = await startNode(contract, CONTRACT_OPTIONS, recovery);
    const b = await startNode(contract, CONTRACT_OPTIONS, recovery);
    const outgoing: unknown[][] = [];
    b.io.of("/chat").on("connection", (socket) => {
      void socket.join("r");
      socket.onAnyOutgoing((...args: unknown[]) => outgoing.push(args));
    });
    a.io.of("/chat");
    const client = io(`${b.url}/chat`, {
      forceNew: true,
      reconnection: false,
      transports: ["websocket"],
    });
    try {
      await waitFor(client, "connect");
      await waitForMembers([a, b], 2, "/chat");
      await settleSubscriptions([a, b], "/chat");
      const received = waitFor<unknown[]>(client, "bin");
      a.io
        .of("/chat")
        .to("r")
        .emit("bin", { blob: Buffer.from([1, 2, 3]) }, "text");
      const args = await received;
      expect(args.length).toBe(3);
      expect(Buffer.from((args[0] as { blob: ArrayBuffer }).blob)).toEqual(Buffer.from([1, 2, 3]));
      expect(args[1]).toBe("text");
      expect(typeof args[2]).toBe("string");
      expect(b.adapter("/chat").counters.receivedEncoded).toBe(1);
      // Outgoing any-listeners see the decoded event, as with the object form.
      expect(outgoing).toHaveLength(1);
      const [name, first, second, offset] = outgoing[0] ?? [];
      expect(name).toBe("bin");
      expect(Buffer.from((first as { blob: Uint8Array }).blob)).toEqual(Buffer.from([1, 2, 3]));
      expect(second).toBe("text");
      expect(offset).toBe(args[2]);
    } finally {
      client.disconnect();
      await Promise.all([a.close(), b.close()]);
    }
  });
});
