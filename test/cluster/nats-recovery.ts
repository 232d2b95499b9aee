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
  type ClusterAdapter,
  encodeClusterMessage,
  MessageType,
  type ServerOptions,
} from "@switchyard/server";
import { afterEach, describe, expect, it } from "vitest";
import {
  type ClusterNode,
  CONTRACT_OPTIONS,
  settleSubscriptions,
  startNode,
  waitForMembers,
  waitUntil,
} from "./cluster-harness.js";
import { natsBus } from "./nats-bus.js";
import { type Numbered, RecoveringPeer, upTo } from "./recovery-harness.js";
import { deleteStream, streamInfo, streamNames } from "./support/jetstream-api.js";

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

function counters(node: ClusterNode): NonNullable<ClusterAdapter["recoveryCounters"]> {
  const found = node.adapter().recoveryCounters;
  if (found === undefined) throw new Error("recovery is not running on this node");
  return found;
}

function emit(node: ClusterNode, to: string, from: string, n: number): void {
  const event: Numbered = { from, to, n };
  if (to === "*") node.io.emit("seq", event);
  else node.io.to(to).emit("seq", event);
}

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
      const peer = await RecoveringPeer.connect(node);
      peers.push(peer);
      return peer;
    };

    it("creates one stream and one session bucket per prefix, reused by every node", async () => {
      const { bus, nodes, api, stream, bucket } = await cluster(2);
      const info = await streamInfo(api, stream);
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
        republish: { src: `${bus.prefix}.h.*.>`, dest: `${bus.prefix}.{{wildcard(1)}}.>` },
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

    it("republishes in sequence order across publishers, and recovers them in that order", async () => {
      const { bus, nodes, api } = await cluster(3);
      const [a, b, c] = nodes as [ClusterNode, ClusterNode, ClusterNode];
      const room = "ordered";
      const peer = await connect(c);
      await peer.socket.join(room);
      await settleSubscriptions(nodes);
      // Every republished copy on the room's subject, as the server sends it.
      const sequences: number[] = [];
      const subscription = api.subscribe(subjectFor(bus.prefix, "/", { kind: "room", room }), {
        callback: (_err, msg) => {
          sequences.push(Number(msg.headers?.get("Nats-Sequence")));
        },
      });
      await api.flush();
      try {
        await Promise.all([publishApart(a, "a", room, 1, 60), publishApart(b, "b", room, 1, 60)]);
        await waitUntil(() => peer.got.length === 120, "every event reached c's client");
        await peer.cut();
        await Promise.all([publishApart(a, "a", room, 61, 20), publishApart(b, "b", room, 61, 20)]);
        await waitUntil(() => sequences.length >= 160, "every republished copy arrived");
        await peer.moveTo(c);
      } finally {
        subscription.unsubscribe();
      }
      // Strictly increasing: sorted, and no sequence twice.
      expect(sequences).toEqual([...new Set(sequences)].sort((x, y) => x - y));
      expect(sequences).toHaveLength(160);
      expect(peer.client.recovered).toBe(true);
      expect(peer.stream("a", room)).toEqual(upTo(80));
      expect(peer.stream("b", room)).toEqual(upTo(80));
      expect(counters(c).outOfOrder).toBe(0);
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
