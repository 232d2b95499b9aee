// The official adapter contract: what a socket.io-adapter subclass (passed as `adapter:`) must do
// on a fleet of switchyard nodes, official socket.io nodes, or both. Every cross-node operation is
// started from every node in turn, so a mixed fleet exercises both directions.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type AdapterUnderTest,
  allGot,
  Fleet,
  type FleetNode,
  fence,
  type NodeKind,
  type Peer,
  waitFor,
  waitUntil,
} from "./fleet.js";

export interface OfficialContractOptions {
  kinds: readonly NodeKind[];
  adapter: AdapterUnderTest;
  /** Whether the adapter stores sessions and missed packets (connection state recovery). */
  recovers: boolean;
  skip?: boolean;
}

interface RemoteLike {
  id: string;
  rooms: Set<string>;
  data: { tag?: string; node?: string };
  handshake: { auth: { tag?: string }; headers: Record<string, unknown>; url: string };
  emit(event: string, ...args: unknown[]): unknown;
  join(room: string): unknown;
  disconnect(): unknown;
}

export function describeOfficialAdapterContract(name: string, options: OfficialContractOptions) {
  describe.skipIf(options.skip === true)(`official adapter contract: ${name}`, () => {
    let fleet: Fleet;
    let nodes: FleetNode[];

    beforeAll(async () => {
      fleet = await Fleet.start({
        kinds: options.kinds,
        adapter: options.adapter,
        recovery: true,
        namespaces: ["/chat"],
      });
      nodes = fleet.nodes;
    }, 60_000);

    afterEach(() => fleet.closeClients());
    afterAll(async () => fleet?.close());

    /** One client on each node (in `rooms`). */
    const onEachNode = (rooms: string[] = []): Promise<Peer[]> =>
      Promise.all(nodes.map((node) => fleet.connect(node, { rooms })));

    it("counts every node in serverCount, on every node", async () => {
      for (const node of nodes) {
        expect(Number(await node.io.of("/").adapter.serverCount())).toBe(nodes.length);
      }
    });

    it("delivers io.emit from every node to a client on every node, once", async () => {
      const peers = await onEachNode();
      for (const node of nodes) {
        node.io.emit("msg", `all-from-${node.label}`, { nested: [1, "two"] });
        await allGot(peers, `all-from-${node.label}`);
        await fence(node, peers);
      }
      for (const peer of peers) {
        // With recovery on, each event also carries its offset (a last string argument).
        expect(peer.got.map((args) => args.slice(0, 2))).toEqual(
          nodes.map((node) => [`all-from-${node.label}`, { nested: [1, "two"] }]),
        );
      }
    });

    it("targets rooms across nodes: to(), to([..]) once per socket, except()", async () => {
      const red = await onEachNode(["red"]);
      const blue = await onEachNode(["blue"]);
      const both = await onEachNode(["red", "blue"]);
      for (const node of nodes) {
        node.io.to("red").emit("msg", `red-${node.label}`);
        node.io.to(["red", "blue"]).emit("msg", `any-${node.label}`);
        node.io.except("red").emit("msg", `not-red-${node.label}`);
        await allGot([...red, ...blue, ...both], `any-${node.label}`);
        await allGot(blue, `not-red-${node.label}`);
        await fence(node, [...red, ...blue, ...both]);
      }
      const expected = (rooms: string[]): string[] =>
        nodes.flatMap((node) => [
          ...(rooms.includes("red") ? [`red-${node.label}`] : []),
          `any-${node.label}`,
          ...(rooms.includes("red") ? [] : [`not-red-${node.label}`]),
        ]);
      for (const peer of red) expect(peer.values()).toEqual(expected(["red"]));
      for (const peer of blue) expect(peer.values()).toEqual(expected(["blue"]));
      for (const peer of both) expect(peer.values()).toEqual(expected(["red", "blue"]));
    });

    it("excludes only the sender from socket.broadcast.emit, on every node", async () => {
      const peers = await onEachNode();
      for (const sender of peers) {
        sender.socket.broadcast.emit("msg", `from-${sender.tag}`);
        await allGot(
          peers.filter((peer) => peer !== sender),
          `from-${sender.tag}`,
        );
        await fence(sender.node, peers);
        expect(sender.values()).not.toContain(`from-${sender.tag}`);
      }
    });

    it("keeps io.local.emit on its own node", async () => {
      const peers = await onEachNode();
      for (const [i, node] of nodes.entries()) {
        node.io.local.emit("msg", `local-${node.label}`);
        await fence(node, peers);
        for (const [j, peer] of peers.entries()) {
          expect(peer.values().includes(`local-${node.label}`)).toBe(i === j);
        }
      }
    });

    it("collects every client's ack of a broadcast, from every node", async () => {
      const peers = await onEachNode(["acked"]);
      const others = await onEachNode();
      for (const node of nodes) {
        const all = (await node.io.timeout(5000).emitWithAck("ask", node.label)) as Array<{
          tag: string;
          value: string;
        }>;
        expect(all.map((answer) => answer.tag).sort()).toEqual(
          [...peers, ...others].map((peer) => peer.tag).sort(),
        );
        expect(new Set(all.map((answer) => answer.value))).toEqual(new Set([node.label]));
        const room = (await node.io.to("acked").timeout(5000).emitWithAck("ask", "room")) as Array<{
          tag: string;
        }>;
        expect(room.map((answer) => answer.tag).sort()).toEqual(
          peers.map((peer) => peer.tag).sort(),
        );
      }
    });

    it("fetches every socket of the cluster with its id, rooms, data and handshake", async () => {
      const peers = await onEachNode(["fetched"]);
      await onEachNode();
      for (const node of nodes) {
        const found = (await node.io.in("fetched").fetchSockets()) as unknown as RemoteLike[];
        expect(found.map((socket) => socket.id).sort()).toEqual(
          peers.map((peer) => peer.socket.id).sort(),
        );
        for (const peer of peers) {
          const socket = found.find((candidate) => candidate.id === peer.socket.id);
          expect(socket?.data).toEqual({ tag: peer.tag, node: peer.node.label });
          expect([...(socket?.rooms ?? [])].sort()).toEqual([peer.socket.id, "fetched"].sort());
          expect(socket?.handshake.auth.tag).toBe(peer.tag);
          expect(socket?.handshake.url).toMatch(/^\/socket\.io\/\?/);
          expect(socket?.handshake.headers["host"]).toBe(peer.node.url.slice("http://".length));
        }
      }
    });

    it("acts on fetched remote sockets: emit, join, disconnect", async () => {
      const peers = await onEachNode();
      for (const node of nodes) {
        const sockets = (await node.io.fetchSockets()) as unknown as RemoteLike[];
        for (const socket of sockets) {
          socket.emit("msg", `direct-${node.label}-${socket.id}`);
          socket.join(`joined-by-${node.label}`);
        }
        for (const peer of peers) await allGot([peer], `direct-${node.label}-${peer.socket.id}`);
        await waitUntil(
          () => peers.every((peer) => peer.socket.rooms.has(`joined-by-${node.label}`)),
          "every socket joined",
          10_000,
        );
      }
      const last = nodes[nodes.length - 1] as FleetNode;
      const victim = peers[0] as Peer;
      const gone = waitFor<[string]>(victim.client, "disconnect", 10_000);
      const remote = ((await last.io.fetchSockets()) as unknown as RemoteLike[]).find(
        (socket) => socket.id === victim.socket.id,
      );
      remote?.disconnect();
      expect((await gone)[0]).toBe("io server disconnect");
    });

    it("makes sockets on every node join and leave rooms, and disconnects them", async () => {
      const red = await onEachNode(["red"]);
      const blue = await onEachNode(["blue"]);
      for (const node of nodes) {
        const room = `green-${node.label}`;
        node.io.in("red").socketsJoin(room);
        await waitUntil(
          () => red.every((peer) => peer.socket.rooms.has(room)),
          `red sockets joined ${room}`,
          10_000,
        );
        expect(blue.some((peer) => peer.socket.rooms.has(room))).toBe(false);
        node.io.socketsLeave(room);
        await waitUntil(
          () => red.every((peer) => !peer.socket.rooms.has(room)),
          `red sockets left ${room}`,
          10_000,
        );
      }
      const reasons = blue.map((peer) => waitFor<[string]>(peer.client, "disconnect", 10_000));
      (nodes[1] ?? (nodes[0] as FleetNode)).io.in("blue").disconnectSockets();
      expect((await Promise.all(reasons)).map(([reason]) => reason)).toEqual(
        blue.map(() => "io server disconnect"),
      );
      expect(red.every((peer) => peer.client.connected)).toBe(true);
    });

    it("delivers serverSideEmit to every other node and collects their acks", async () => {
      const heard: string[] = [];
      const handlers = nodes.map((node) => {
        const onHello = (from: string, ack?: (answer: string) => void): void => {
          heard.push(`${node.label}<-${from}`);
          ack?.(node.label);
        };
        node.io.on("hello", onHello);
        return () => node.io.off("hello", onHello);
      });
      try {
        for (const node of nodes) {
          node.io.serverSideEmit("hello", node.label);
          const others = nodes.filter((other) => other !== node).map((other) => other.label);
          await waitUntil(
            () => others.every((label) => heard.includes(`${label}<-${node.label}`)),
            `every other node heard ${node.label}`,
            10_000,
          );
          const answers = (await node.io.serverSideEmitWithAck(
            "hello",
            `${node.label}?`,
          )) as string[];
          expect([...answers].sort()).toEqual([...others].sort());
        }
        expect(
          heard.filter((entry) => entry.startsWith(`${nodes[0]?.label}<-${nodes[0]?.label}`)),
        ).toEqual([]);
      } finally {
        for (const off of handlers) off();
      }
    });

    it("keeps namespaces apart: /chat broadcasts reach only /chat clients", async () => {
      const main = await onEachNode();
      const chat = await Promise.all(nodes.map((node) => fleet.connect(node, { nsp: "/chat" })));
      for (const node of nodes) {
        node.io.of("/chat").emit("msg", `chat-${node.label}`);
        await allGot(chat, `chat-${node.label}`);
        await fence(node, main);
      }
      for (const peer of main) expect(peer.got).toEqual([]);
    });

    it("carries binary and large payloads across nodes intact", async () => {
      const peers = await onEachNode();
      const big = Buffer.alloc(64 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31) % 251;
      const text = "é".repeat(20_000);
      for (const node of nodes) {
        node.io.emit("msg", `big-${node.label}`, big, text);
        await allGot(peers, `big-${node.label}`);
      }
      for (const peer of peers) {
        for (const args of peer.got) {
          expect(Buffer.from(args[1] as ArrayBuffer).equals(big)).toBe(true);
          expect(args[2]).toBe(text);
        }
      }
    });

    const moves = (): Array<[FleetNode, FleetNode]> =>
      nodes.map((node, i) => [node, nodes[(i + 1) % nodes.length] as FleetNode]);

    if (options.recovers) {
      it("recovers a cut-off client's session and missed events on another node", async () => {
        for (const [from, to] of moves()) {
          const peer = await fleet.connect(from, { rooms: ["kept"] });
          // An offset to come back with: the client acknowledges events by their last argument.
          from.io.to("kept").emit("msg", "before");
          await allGot([peer], "before");
          const id = peer.socket.id;
          const gone = waitFor(peer.socket, "disconnect", 10_000);
          peer.client.io.engine.close();
          await gone;
          to.io.to("kept").emit("msg", `missed-1-${from.label}`);
          from.io.emit("msg", `missed-2-${from.label}`);
          await fleet.reconnect(peer, to);
          await allGot([peer], `missed-2-${from.label}`);
          expect(peer.client.recovered).toBe(true);
          expect(peer.socket.id).toBe(id);
          expect(peer.socket.rooms.has("kept")).toBe(true);
          expect(peer.socket.data).toEqual({ tag: peer.tag, node: from.label });
          // Two publishers: the stream orders them as their writes arrived.
          expect(peer.values()[0]).toBe("before");
          expect([...peer.values()].sort()).toEqual(
            ["before", `missed-1-${from.label}`, `missed-2-${from.label}`].sort(),
          );
        }
      });
    } else {
      it("gives a returning client a new session (the adapter stores none)", async () => {
        for (const [from, to] of moves()) {
          const peer = await fleet.connect(from);
          from.io.emit("msg", "before");
          await allGot([peer], "before");
          const id = peer.socket.id;
          const gone = waitFor(peer.socket, "disconnect", 10_000);
          peer.client.io.engine.close();
          await gone;
          await fleet.reconnect(peer, to);
          expect(peer.client.recovered).toBe(false);
          expect(peer.socket.id).not.toBe(id);
        }
      });
    }
  });
}
