// Hostile namespace and room names on a real nats-server: names with `.`, `*`, `>`, spaces, the
// empty name and very long names each reach exactly their own members across nodes, and a
// wildcard-looking room never widens a node's subscriptions.
import { MessageType } from "@switchyard/server";
import {
  type ClusterNode,
  fence,
  type Peer,
  Peers,
  settleSubscriptions,
  startNode,
  waitFor,
  waitForMembers,
} from "@switchyard/server/testing";
import { io } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { natsBus } from "./nats-bus.js";

const servers: Array<[string, string | undefined]> = [
  ["distribution nats-server", inject("natsUrl")],
  ["current nats-server", inject("natsCurrentUrl")],
];

const HOSTILE_ROOMS = ["a.b", "a", "*", ">", "a.*", "a.>", "with space", "", "x".repeat(5000)];
const WILDCARD_ROOMS = ["*", ">", "a.>"];

for (const [label, url] of servers) {
  describe.skipIf(url === undefined)(`nats subjects with hostile names (${label})`, () => {
    const peers = new Peers(io);
    let nodes: ClusterNode[] = [];
    let bus: Awaited<ReturnType<typeof natsBus>>;

    beforeAll(async () => {
      bus = await natsBus(url ?? "");
      nodes = [await startNode(bus), await startNode(bus), await startNode(bus)];
      await waitForMembers(nodes, 3);
    });

    afterEach(() => peers.closeAll());

    afterAll(async () => {
      await Promise.allSettled(nodes.map((node) => node.close()));
      await bus?.close();
    });

    it("delivers a broadcast to each hostile room's members only, and wildcard-looking rooms do not widen subscriptions", async () => {
      const [a, b, c] = nodes as [ClusterNode, ClusterNode, ClusterNode];
      const members: Peer[] = [];
      for (const room of HOSTILE_ROOMS) {
        const peer = await peers.connect(b);
        await peer.socket.join(room);
        members.push(peer);
      }
      const wild = await peers.connect(c);
      for (const room of WILDCARD_ROOMS) await wild.socket.join(room);
      await settleSubscriptions(nodes);
      const before = c.adapter().counters.receivedByType[MessageType.BROADCAST] ?? 0;
      for (const room of HOSTILE_ROOMS) a.io.to(room).emit("msg", room.slice(0, 20));
      await fence(a, [...members, wild]);
      for (const [i, peer] of members.entries()) {
        expect(peer.got).toEqual([[HOSTILE_ROOMS[i]?.slice(0, 20)]]);
      }
      expect(wild.got).toEqual(WILDCARD_ROOMS.map((room) => [room]));
      // c heard the three rooms it holds (and the fence, which goes to the namespace subject).
      const heard = (c.adapter().counters.receivedByType[MessageType.BROADCAST] ?? 0) - before;
      expect(heard).toBe(WILDCARD_ROOMS.length + 1);
    });

    it("keeps namespaces with dots and wildcards apart", async () => {
      const [a, b, c] = nodes as [ClusterNode, ClusterNode, ClusterNode];
      const names = ["/a.b", "/a", "/*", "/>"];
      for (const name of names) for (const node of [a, b, c]) node.io.of(name);
      for (const name of names) await waitForMembers(nodes, 3, name);
      const got = await Promise.all(names.map((name) => peers.connect(b, name)));
      for (const [i, name] of names.entries()) {
        const peer = got[i] as Peer;
        const done = waitFor(peer.client, "done");
        a.io.of(name).emit("msg", name);
        a.io.of(name).emit("done");
        await done;
      }
      for (const [i, peer] of got.entries()) expect(peer.got).toEqual([[names[i]]]);
    });
  });
}
