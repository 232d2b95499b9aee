// Recovery on NATS JetStream, what the shared recovery contract cannot see: the stream and the
// session bucket the adapters make (once, reused), a lost stream (new epoch), a trimmed history,
// the RePublish order across publishers, hostile republished messages, and the Emitter's events.
// Run on each nats-server build (nats-recovery.test.ts).
import { headers, type NatsConnection } from "@nats-io/transport-node";
import {
  Emitter,
  historyNames,
  type NatsAdapter,
  type NatsHistoryOptions,
  subjectFor,
} from "@switchyard/adapter-nats";
import {
  type DeliveredPosition,
  encodeClusterMessage,
  MessageType,
  type ServerOptions,
} from "@switchyard/server";
import {
  type ClusterNode,
  CONTRACT_OPTIONS,
  emitNumbered,
  RecoveringPeer,
  recoveryCounters,
  settleSubscriptions,
  startNode,
  upTo,
  waitFor,
  waitForMembers,
  waitUntil,
} from "@switchyard/server/testing";
import { io } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { natsBus } from "./nats-bus.js";
import { deleteStream, serverAtLeast, streamInfo, streamNames } from "./support/jetstream-api.js";

const RECOVERY: Partial<ServerOptions> = { connectionStateRecovery: {} };
/** The default `maxDisconnectionDuration` (2 min) plus the adapter's margin, in ns. */
const DEFAULT_MAX_AGE_NS = (120_000 + 60_000) * 1e6;

type Bus = Awaited<ReturnType<typeof natsBus>>;

interface Cluster {
  bus: Bus;
  nodes: ClusterNode[];
  /** A connection of the test's own (JetStream API, hostile input). */
  api: NatsConnection;
  stream: string;
  bucket: string;
}

const nats = (node: ClusterNode): NatsAdapter => node.adapter() as unknown as NatsAdapter;

const counters = recoveryCounters;
const emit = emitNumbered;

/** Events `first..first+count-1`, one bus message each (the next one after a macrotask). */
async function publishApart(
  node: ClusterNode,
  from: string,
  to: string,
  first: number,
  count: number,
): Promise<void> {
  for (let n = first; n < first + count; n++) {
    emit(node, to, from, n);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Runs the NATS-specific recovery tests on the nats-server at `url` (skipped when undefined). */
export function describeNatsRecovery(name: string, url: string | undefined): void {
  describe.skipIf(url === undefined)(`recovery on JetStream: ${name}`, () => {
    const peers: RecoveringPeer[] = [];
    const clusters: Cluster[] = [];

    afterEach(async () => {
      for (const peer of peers.splice(0)) peer.close();
      for (const { nodes, bus } of clusters.splice(0)) {
        await Promise.allSettled(nodes.map((node) => node.close()));
        await bus.close();
      }
    });

    const cluster = async (n: number, history?: NatsHistoryOptions): Promise<Cluster> => {
      const bus = await natsBus(url ?? "", history === undefined ? {} : { history });
      const nodes: ClusterNode[] = [];
      const api = bus.connections[0];
      if (api === undefined) throw new Error("no injector connection");
      const { stream, bucket } = historyNames(bus.prefix);
      const made = { bus, nodes, api, stream, bucket };
      clusters.push(made);
      for (let i = 0; i < n; i++) nodes.push(await startNode(bus, CONTRACT_OPTIONS, RECOVERY));
      await waitForMembers(nodes, n);
      return made;
    };
    const connect = async (node: ClusterNode): Promise<RecoveringPeer> => {
      const peer = await RecoveringPeer.connect(io, node);
      peers.push(peer);
      return peer;
    };

    it("creates one stream and one session bucket per prefix, reused by every node", async () => {
      const { bus, nodes, api, stream, bucket } = await cluster(2);
      const info = await streamInfo(api, stream);
      // RePublish keeps sequence order from 2.10 on; before, an ordered consumer delivers.
      const republish = serverAtLeast(api.info?.version, 2, 10)
        ? { src: `${bus.prefix}.h.*.>`, dest: `${bus.prefix}.{{wildcard(1)}}.>` }
        : undefined;
      expect(info?.config.republish).toEqual(republish);
      expect(nats(nodes[0] as ClusterNode).historyDelivery).toBe(
        republish ? "republish" : "consumer",
      );
      expect(info?.config).toMatchObject({
        subjects: [`${bus.prefix}.h.*.>`],
        storage: "file",
        num_replicas: 1,
        max_age: DEFAULT_MAX_AGE_NS,
        max_msgs: -1,
        max_bytes: -1,
        max_msgs_per_subject: -1,
        discard: "old",
        deny_delete: true,
        deny_purge: true,
      });
      const sessions = await streamInfo(api, `KV_${bucket}`);
      expect(sessions?.config.max_age).toBeGreaterThanOrEqual(2 * DEFAULT_MAX_AGE_NS - 60e9);
      // A third node opens them again: the same stream (same creation), not a second one.
      const third = await startNode(bus, CONTRACT_OPTIONS, RECOVERY);
      nodes.push(third);
      await waitForMembers(nodes, 3);
      expect((await streamInfo(api, stream))?.created).toBe(info?.created);
      expect(await streamNames(api, `${bus.prefix}.h.>`)).toEqual([stream]);
      expect(nodes.map((node) => nats(node).historyCounters?.epochChanges)).toEqual([0, 0, 0]);
    });

    it("delivers through one ordered consumer per node when asked to (any server version)", async () => {
      const { nodes, api, stream } = await cluster(2, { delivery: "consumer" });
      const [a, b] = nodes as [ClusterNode, ClusterNode];
      expect((await streamInfo(api, stream))?.config.republish).toBeUndefined();
      expect(nats(a).historyDelivery).toBe("consumer");
      const room = "by-consumer";
      const peer = await connect(a);
      await peer.socket.join(room);
      await settleSubscriptions(nodes);
      emit(b, room, "b", 1);
      await waitUntil(() => peer.got.length === 1, "the first event, live");
      await peer.cut();
      await publishApart(b, "b", room, 2, 3);
      emit(b, "*", "b*", 1);
      await peer.moveTo(b);
      expect(peer.client.recovered).toBe(true);
      expect(peer.stream("b", room)).toEqual(upTo(4));
      expect(peer.stream("b*", "*")).toEqual([1]);
    });

    it("takes RePublish when asked on 2.10+, refuses it before (and runs without recovery)", async () => {
      const bus = await natsBus(url ?? "", { history: { delivery: "republish" } });
      const api = bus.connections[0] as NatsConnection;
      const { stream, bucket } = historyNames(bus.prefix);
      const errors: Array<{ code?: string }> = [];
      const nodes: ClusterNode[] = [];
      clusters.push({ bus, nodes, api, stream, bucket });
      nodes.push(await startNode(bus, CONTRACT_OPTIONS, RECOVERY));
      const node = nodes[0] as ClusterNode;
      node.adapter().on("error", (err: { code?: string }) => errors.push(err));
      if (serverAtLeast(api.info?.version, 2, 10)) {
        await waitUntil(() => nats(node).historyDelivery !== undefined, "the history is open");
        expect(nats(node).historyDelivery).toBe("republish");
        expect((await streamInfo(api, stream))?.config.republish).toBeDefined();
      } else {
        await waitUntil(() => errors.length > 0, "the adapter reported why");
        expect(errors[0]?.code).toBe("SY_ERR_ADAPTER_NATS_HISTORY_UNAVAILABLE");
        expect(node.adapter().recoveryCounters).toBeUndefined();
        expect(await streamInfo(api, stream)).toBeUndefined();
      }
    });

    it("makes nothing in JetStream when the Server has no recovery", async () => {
      const bus = await natsBus(url ?? "");
      const node = await startNode(bus);
      const api = bus.connections[0] as NatsConnection;
      const { stream, bucket } = historyNames(bus.prefix);
      clusters.push({ bus, nodes: [node], api, stream, bucket });
      expect(node.adapter().recoveryCounters).toBeUndefined();
      expect(nats(node).historyCounters).toBeUndefined();
      expect(await streamInfo(api, stream)).toBeUndefined();
      expect(await streamInfo(api, `KV_${bucket}`)).toBeUndefined();
    });

    it("gives a new session when the stream was deleted and made again (new epoch), counted", async () => {
      const { nodes, api, stream } = await cluster(2);
      const [a, b] = nodes as [ClusterNode, ClusterNode];
      const peer = await connect(a);
      emit(b, "*", "b", 1);
      await waitUntil(() => peer.got.length === 1, "a first event");
      await peer.cut();
      const before = (await streamInfo(api, stream))?.created;
      await deleteStream(api, stream);
      // b's next append finds no stream: it is made again, and b learns the new epoch.
      await waitUntil(async () => {
        emit(b, "*", "b", 2);
        return (nats(b).historyCounters?.epochChanges ?? 0) >= 1;
      }, "b re-created the stream");
      expect((await streamInfo(api, stream))?.created).not.toBe(before);
      const misses = counters(b).misses.epoch;
      await peer.moveTo(b);
      expect(peer.client.recovered).toBe(false);
      expect(counters(b).misses.epoch).toBe(misses + 1);
    });

    it("gives a new session when the history was trimmed past the offset, counted", async () => {
      const { nodes } = await cluster(2, { maxMsgs: 3 });
      const [a, b] = nodes as [ClusterNode, ClusterNode];
      const peer = await connect(a);
      emit(b, "*", "b", 1);
      await waitUntil(() => peer.got.length === 1, "a first event");
      await peer.cut();
      await publishApart(b, "b", "*", 2, 6);
      const misses = counters(b).misses.trimmed;
      await peer.moveTo(b);
      expect(peer.client.recovered).toBe(false);
      expect(counters(b).misses.trimmed).toBe(misses + 1);
    });

    it("delivers in sequence order across publishers, and recovers in that order", async () => {
      const { nodes } = await cluster(3);
      const [a, b, c] = nodes as [ClusterNode, ClusterNode, ClusterNode];
      const room = "ordered";
      const peer = await connect(c);
      await peer.socket.join(room);
      await settleSubscriptions(nodes);
      // Every position c's adapter is handed, as the bus hands it (RePublish or consumer).
      const positions: number[] = [];
      const receiver = c.adapter() as unknown as {
        onPayload(payload: Uint8Array, position?: DeliveredPosition): void;
      };
      const onPayload = receiver.onPayload.bind(receiver);
      receiver.onPayload = (payload, position) => {
        if (position !== undefined) positions.push(position.major);
        onPayload(payload, position);
      };
      try {
        await Promise.all([publishApart(a, "a", room, 1, 60), publishApart(b, "b", room, 1, 60)]);
        await waitUntil(() => peer.got.length === 120, "every event reached c's client");
        await peer.cut();
        await Promise.all([publishApart(a, "a", room, 61, 20), publishApart(b, "b", room, 61, 20)]);
        await peer.moveTo(c);
        await waitUntil(
          () => peer.stream("a", room).length >= 80 && peer.stream("b", room).length >= 80,
          "every event reached the client again",
        );
      } finally {
        receiver.onPayload = onPayload;
      }
      // Strictly increasing: sorted, and no position twice.
      expect(positions.length).toBeGreaterThanOrEqual(120);
      expect(positions).toEqual([...new Set(positions)].sort((x, y) => x - y));
      expect(peer.client.recovered).toBe(true);
      expect(peer.stream("a", room)).toEqual(upTo(80));
      expect(peer.stream("b", room)).toEqual(upTo(80));
      expect(counters(c).outOfOrder).toBe(0);
    });

    it("never lets an operation overtake the broadcast published before it", async () => {
      const { nodes } = await cluster(2);
      const [a, b] = nodes as [ClusterNode, ClusterNode];
      const room = "then-leave";
      const peer = await connect(b);
      await peer.socket.join(room);
      await settleSubscriptions(nodes);
      const gone = waitFor(peer.client, "disconnect");
      // The broadcast goes through the history, the disconnection straight to b: it waits.
      emit(a, room, "a", 1);
      a.io.in(room).disconnectSockets(true);
      await gone;
      expect(peer.stream("a", room)).toEqual([1]);
    });

    it("drops republished messages whose headers are not the stream's, counted, never delivered", async () => {
      const { bus, nodes, api, stream } = await cluster(2);
      const [a, b] = nodes as [ClusterNode, ClusterNode];
      const room = "hostile";
      const peer = await connect(b);
      await peer.socket.join(room);
      await settleSubscriptions(nodes);
      const forged = encodeClusterMessage({
        v: 1,
        uid: "intruder0intrude",
        nsp: "/",
        type: MessageType.BROADCAST,
        data: {
          opts: { rooms: [room], except: [], flags: {} },
          packet: { type: 2, nsp: "/", data: ["seq", { from: "intruder", to: room, n: 1 }] },
          o: 1,
        },
      });
      const cases: Array<[string, string | undefined]> = [
        [stream, "abc"],
        [stream, "0"],
        [stream, "-5"],
        [stream, "1e3"],
        [stream, "99999999999999999999"],
        [stream, undefined],
        ["NOT_OURS", "5"],
      ];
      const before = nats(b).historyCounters?.malformed ?? 0;
      const subject = subjectFor(bus.prefix, "/", { kind: "room", room });
      for (const [name, seq] of cases) {
        const h = headers();
        h.set("Nats-Stream", name);
        if (seq !== undefined) h.set("Nats-Sequence", seq);
        api.publish(subject, forged, { headers: h });
      }
      await api.flush();
      await waitUntil(
        () => (nats(b).historyCounters?.malformed ?? 0) - before === cases.length,
        "b dropped every forged message",
      );
      emit(a, room, "a", 1);
      await waitUntil(() => peer.got.length === 1, "a real event after them");
      expect(peer.got.map((event) => event.from)).toEqual(["a"]);
      expect(counters(b).outOfOrder).toBe(0);
    });

    it("stores the events of an Emitter with recovery: a returning client gets them", async () => {
      const { bus, nodes } = await cluster(2);
      const [a, b] = nodes as [ClusterNode, ClusterNode];
      const room = "from-worker";
      const connection = bus.connections[0] as NatsConnection;
      const errors: unknown[] = [];
      const emitter = new Emitter(connection, {
        prefix: bus.prefix,
        recovery: true,
        onError: (err) => errors.push(err),
      });
      const stored = async (): Promise<number> =>
        (await streamInfo(connection, historyNames(bus.prefix).stream))?.state.last_seq ?? 0;
      const peer = await connect(a);
      await peer.socket.join(room);
      await settleSubscriptions(nodes);
      emitter.to(room).emit("seq", { from: "worker", to: room, n: 1 });
      await waitUntil(() => peer.got.length === 1, "the emitter's first event, live");
      await peer.cut();
      const before = await stored();
      emitter.to(room).emit("seq", { from: "worker", to: room, n: 2 });
      emitter.emit("seq", { from: "worker", to: "*", n: 1 });
      emitter.to(room).volatile.emit("seq", { from: "volatile", to: room, n: 1 });
      emitter.to(room).emit("seq", { from: "worker", to: room, n: 3 });
      await waitUntil(
        async () => (await stored()) >= before + 3,
        "the emitter's events are stored",
      );
      await peer.moveTo(b);
      expect(peer.client.recovered).toBe(true);
      expect(peer.stream("worker", room)).toEqual(upTo(3));
      expect(peer.stream("worker", "*")).toEqual([1]);
      expect(peer.stream("volatile", room)).toEqual([]);
      expect(errors).toEqual([]);
    });
  });
}
