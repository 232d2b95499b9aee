// The recovery contract: connection state recovery across the nodes of a cluster, run on every
// bus (in-process, Redis classic and sharded, NATS JetStream, IPC) with official clients. A client
// leaves one node and comes back through any node with its pid and offset.
import { io as ours } from "@switchyard/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ServerOptions } from "../server-options.js";
import type { Socket } from "../socket/socket.js";
import {
  type ClusterNode,
  CONTRACT_OPTIONS,
  type ContractBus,
  settleSubscriptions,
  startNode,
  waitFor,
  waitForMembers,
  waitUntil,
} from "./cluster-harness.js";
import type { ContractOptions, CreateBus } from "./contract.js";
import {
  emitNumbered,
  type Numbered,
  RecoveringPeer,
  recoveryCounters,
  upTo,
} from "./recovery-harness.js";
import { startSwitchProxy } from "./switch-proxy.js";

const RECOVERY: Partial<ServerOptions> = { connectionStateRecovery: {} };

/** How the recovery contract runs. */
export interface RecoveryContractOptions extends ContractOptions {
  /** The bus has an Emitter with recovery (`ContractBus.recoveryEmitter`): test it too. */
  emitter?: boolean;
}

/**
 * Runs the recovery contract on the bus built by `createBus` (nodes with
 * `connectionStateRecovery`; the bus must implement `history()`). `io` must be socket.io-client's.
 */
export function describeRecoveryContract(
  name: string,
  createBus: CreateBus,
  options: RecoveryContractOptions,
): void {
  const { io, skip = false, emitter = false } = options;
  describe.skipIf(skip)(`recovery contract: ${name}`, () => {
    let bus: ContractBus;
    let nodes: ClusterNode[] = [];
    const peers: RecoveringPeer[] = [];
    let a: ClusterNode;
    let b: ClusterNode;
    let c: ClusterNode;

    beforeAll(async () => {
      bus = await createBus();
      nodes = await Promise.all([0, 1, 2].map(() => startNode(bus, CONTRACT_OPTIONS, RECOVERY)));
      [a, b, c] = nodes as [ClusterNode, ClusterNode, ClusterNode];
      await waitForMembers(nodes, 3);
    });

    afterEach(() => {
      for (const peer of peers.splice(0)) peer.close();
    });

    afterAll(async () => {
      await Promise.allSettled(nodes.map((node) => node.close()));
      await bus?.close();
    });

    const connect = async (node: ClusterNode): Promise<RecoveringPeer> => {
      const peer = await RecoveringPeer.connect(io, node);
      peers.push(peer);
      return peer;
    };
    const counters = recoveryCounters;
    const emit = emitNumbered;
    /** A stream of `count` events from `node` to `to`, after one already received. */
    const publish = (node: ClusterNode, from: string, to: string, first: number, count: number) => {
      for (let n = first; n < first + count; n++) emit(node, to, from, n);
    };

    it("recovers a client on another node: id, rooms, data, and every missed event once, in order", async () => {
      const peer = await connect(a);
      const room = `r-${Math.random()}`;
      const { id } = peer.socket;
      await peer.socket.join(room);
      peer.socket.data = { user: "ann" };
      await settleSubscriptions(nodes);
      // One event received from each publisher: the client has an offset.
      for (const [i, node] of nodes.entries()) emit(node, room, `n${i}`, 1);
      await waitUntil(() => peer.got.length === 3, "the first events arrived");
      await peer.cut();
      for (const [i, node] of nodes.entries()) {
        publish(node, `n${i}`, room, 2, 5);
        publish(node, `all${i}`, "*", 1, 3);
        publish(node, `sid${i}`, id, 1, 2);
      }
      await peer.moveTo(b);
      expect(peer.client.recovered).toBe(true);
      expect(peer.socket.recovered).toBe(true);
      expect(peer.socket.id).toBe(id);
      expect(peer.socket.rooms).toEqual(new Set([id, room]));
      expect(peer.socket.data).toEqual({ user: "ann" });
      for (const i of [0, 1, 2]) {
        expect(peer.stream(`n${i}`, room)).toEqual(upTo(6));
        expect(peer.stream(`all${i}`, "*")).toEqual(upTo(3));
        expect(peer.stream(`sid${i}`, id)).toEqual(upTo(2));
      }
      expect(counters(b).hits).toBeGreaterThanOrEqual(1);
      // And live delivery goes on, exactly once.
      publish(c, "n2", room, 7, 1);
      await waitUntil(() => peer.stream("n2", room).length === 7, "a live event after recovery");
      expect(peer.stream("n2", room)).toEqual(upTo(7));
    });

    it("recovers on the node the client left, without replaying what it had", async () => {
      const peer = await connect(c);
      const room = `same-${Math.random()}`;
      await peer.socket.join(room);
      await settleSubscriptions(nodes);
      publish(c, "own", room, 1, 3);
      publish(a, "other", room, 1, 3);
      await waitUntil(() => peer.got.length === 6, "the first events arrived");
      await peer.cut();
      publish(c, "own", room, 4, 3);
      publish(a, "other", room, 4, 3);
      await peer.moveTo(c);
      expect(peer.client.recovered).toBe(true);
      expect(peer.stream("own", room)).toEqual(upTo(6));
      expect(peer.stream("other", room)).toEqual(upTo(6));
    });

    it("keeps the events published while the session is being restored, once each", async () => {
      const peer = await connect(a);
      const room = `busy-${Math.random()}`;
      await peer.socket.join(room);
      await settleSubscriptions(nodes);
      let n = 0;
      const publishers = nodes.map((node, i) => {
        const counter = { n: 0 };
        const timer = setInterval(() => {
          for (let k = 0; k < 5; k++) emit(node, room, `p${i}`, ++counter.n);
        }, 2);
        return { timer, counter };
      });
      try {
        await waitUntil(() => peer.got.length >= 30, "the stream runs");
        await peer.cut();
        await new Promise((resolve) => setTimeout(resolve, 20));
        await peer.moveTo(b);
        expect(peer.client.recovered).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        for (const { timer } of publishers) clearInterval(timer);
      }
      n = Math.max(...publishers.map((p) => p.counter.n));
      expect(n).toBeGreaterThan(0);
      for (const [i, { counter }] of publishers.entries()) {
        await waitUntil(
          () => peer.stream(`p${i}`, room).length >= counter.n,
          `every event of p${i} arrived`,
        );
        expect(peer.stream(`p${i}`, room)).toEqual(upTo(counter.n));
      }
    });

    it("does not replay a room's events from before the socket joined it", async () => {
      const room = `late-${Math.random()}`;
      const member = await connect(b);
      await member.socket.join(room);
      await settleSubscriptions(nodes);
      publish(b, "early", room, 1, 4);
      await waitUntil(() => member.got.length === 4, "the early events arrived");
      const peer = await connect(a);
      // Its node's own event: a heard nothing of the room yet, its remote frontier is behind the
      // room's early events, so only the join's floor can tell them apart from missed ones.
      publish(a, "before", "*", 1, 1);
      await waitUntil(() => peer.got.length === 1, "a first event");
      await peer.socket.join(room);
      await settleSubscriptions(nodes);
      await peer.cut();
      publish(b, "early", room, 5, 2);
      await peer.moveTo(c);
      expect(peer.client.recovered).toBe(true);
      expect(peer.stream("early", room)).toEqual([5, 6]);
    });

    it("replays neither local, volatile nor acknowledged broadcasts", async () => {
      const peer = await connect(a);
      publish(b, "x", "*", 1, 1);
      await waitUntil(() => peer.got.length === 1, "a first event");
      await peer.cut();
      a.io.local.emit("seq", { from: "local", to: "*", n: 1 });
      b.io.volatile.emit("seq", { from: "volatile", to: "*", n: 1 });
      b.io.timeout(50).emit("seq", { from: "acked", to: "*", n: 1 }, () => undefined);
      publish(c, "x", "*", 2, 1);
      await peer.moveTo(b);
      expect(peer.client.recovered).toBe(true);
      expect(peer.got.map((e) => e.from)).toEqual(["x", "x"]);
    });

    it("restores a pid once: a second attempt with the same pid gets a new session", async () => {
      const peer = await connect(b);
      publish(a, "x", "*", 1, 1);
      await waitUntil(() => peer.got.length === 1, "a first event");
      const pid = (peer.client as unknown as { _pid: string })._pid;
      const offset = (peer.client as unknown as { _lastOffset: string })._lastOffset;
      await peer.cut();
      await peer.moveTo(c);
      expect(peer.client.recovered).toBe(true);
      // c writes the restored socket's live record at the end of the restore's tick; before it is
      // in the store, a second claim finds the record already claimed ("session"), after it the
      // socket connected on c ("connected", counted below): wait for the write.
      await c.adapter().whenSessionsSaved();
      const thief = await RecoveringPeer.connect(io, a);
      peers.push(thief);
      // Replays the first session's credentials (a stolen pid): a fresh session, nothing leaked.
      await thief.cut();
      Object.assign(thief.client as unknown as object, { _pid: pid, _lastOffset: offset });
      const before = counters(a).misses.connected;
      await thief.moveTo(a);
      expect(thief.client.recovered).toBe(false);
      expect(thief.socket.id).not.toBe(peer.socket.id);
      // The pid's session is connected on c: it is not taken from its client.
      expect(counters(a).misses.connected).toBe(before + 1);
      expect(peer.socket.connected).toBe(true);
    });

    it("recovers twice in a row when nothing was missed the first time (the old offset stays valid)", async () => {
      const peer = await connect(a);
      const room = `twice-${Math.random()}`;
      await peer.socket.join(room);
      await settleSubscriptions(nodes);
      // a's counter well past b's, so that reading the client's offset (a's) against b's counter
      // would skip b's events below.
      publish(a, "elsewhere", `nobody-${Math.random()}`, 1, 300);
      publish(a, "first", room, 1, 1);
      await waitUntil(() => peer.stream("first", room).length === 1, "the first event");
      await peer.cut();
      await peer.moveTo(b);
      expect(peer.client.recovered).toBe(true);
      // Nothing was missed: the client still holds a's offset. Cut again before b sends it any.
      await peer.cut();
      publish(b, "from-b", room, 1, 3);
      await peer.moveTo(c);
      expect(peer.client.recovered).toBe(true);
      await waitUntil(() => peer.stream("from-b", room).length >= 3, "b's events");
      expect(peer.stream("from-b", room)).toEqual([1, 2, 3]);
      expect(peer.stream("first", room)).toEqual([1]);
    });

    it("gives a new session for a forged offset", async () => {
      for (const forged of ["garbage", "zz.zzzzzzzzzzz.0.0.0", "x.1.2.3"]) {
        const peer = await connect(a);
        publish(b, "x", "*", 1, 1);
        await waitUntil(() => peer.got.length === 1, "a first event");
        await peer.cut();
        Object.assign(peer.client as unknown as object, { _lastOffset: forged });
        await peer.moveTo(b);
        expect(peer.client.recovered).toBe(false);
      }
    });

    // Only buses that have an Emitter (Redis, NATS) get this case; the others do not register it.
    const itWithEmitter = (title: string, fn: () => Promise<void>): void => {
      if (emitter) it(title, fn);
    };
    itWithEmitter("replays what an Emitter published (not its volatile events)", async () => {
      const emitter = bus.recoveryEmitter?.();
      if (emitter === undefined) throw new Error("this bus has no recovery emitter");
      const peer = await connect(a);
      // A volatile event is delivered to whoever is connected when it reaches a node: the
      // client comes back to c only once c got it (a witness there got the event after it).
      const witness = await connect(c);
      const room = `emitted-${Math.random()}`;
      await peer.socket.join(room);
      await settleSubscriptions(nodes);
      emitter.to(room).emit("seq", { from: "emitter", to: room, n: 1 });
      await waitUntil(() => peer.got.length === 1, "a first event");
      await peer.cut();
      emitter.to(room).emit("seq", { from: "emitter", to: room, n: 2 });
      emitter.emit("seq", { from: "emitter", to: "*", n: 1 });
      emitter.volatile.emit("seq", { from: "volatile", to: "*", n: 1 });
      emitter.emit("seq", { from: "marker", to: "*", n: 1 });
      publish(b, "after", room, 1, 1);
      await waitUntil(
        () => witness.stream("marker", "*").length === 1,
        "the event after the volatile one on the node the client comes back to",
      );
      await peer.moveTo(c);
      expect(peer.client.recovered).toBe(true);
      expect(peer.stream("emitter", room)).toEqual([1, 2]);
      expect(peer.stream("emitter", "*")).toEqual([1]);
      expect(peer.stream("volatile", "*")).toEqual([]);
      expect(peer.stream("marker", "*")).toEqual([1]);
      expect(peer.stream("after", room)).toEqual([1]);
    });

    it("recovers our own client over long-polling on another node", async () => {
      const proxy = await startSwitchProxy(Number(new URL(a.url).port));
      const tag = `ours-${Math.random()}`;
      const connection = waitFor<[Socket]>(a.io, "connection");
      const client = ours(proxy.url, {
        transports: ["polling"],
        reconnectionDelay: 50,
        randomizationFactor: 0,
        auth: { tag },
      });
      try {
        const got: Numbered[] = [];
        client.on("seq", (event: Numbered) => got.push(event));
        const [socket] = await connection;
        const room = `ours-${Math.random()}`;
        await socket.join(room);
        await settleSubscriptions(nodes);
        publish(b, "x", room, 1, 1);
        await waitUntil(() => got.length === 1, "a first event");
        // A server notices a lost polling client only through a request it holds (or the ping
        // timeout, 45 s): cut while a's long poll is pending, not while the next one is still
        // on its way through the proxy (a would then never see the cut).
        await waitUntil(() => socket.conn.transport.writable === true, "a's pending long poll");
        const gone = waitFor(socket, "disconnect");
        const back = waitFor<[Socket]>(b.io, "connection");
        // Its node "goes away": the proxy cuts it and routes the reconnection to b.
        proxy.switchTo(Number(new URL(b.url).port));
        await gone;
        publish(c, "x", room, 2, 3);
        const [restored] = await back;
        await waitUntil(() => got.length === 4, "the missed events");
        expect(client.recovered).toBe(true);
        expect(restored.id).toBe(socket.id);
        expect(got.map((e) => e.n)).toEqual(upTo(4));
      } finally {
        client.disconnect();
        await proxy.close();
      }
    });

    it("counts hits and misses by reason, and the replayed events", async () => {
      const peer = await connect(c);
      publish(a, "x", "*", 1, 1);
      await waitUntil(() => peer.got.length === 1, "a first event");
      await peer.cut();
      publish(a, "x", "*", 2, 4);
      const before = { ...counters(a), misses: { ...counters(a).misses } };
      await peer.moveTo(a);
      expect(counters(a).hits).toBe(before.hits + 1);
      expect(counters(a).replayed).toBe(before.replayed + 4);
    });
  });
}
