// Recovery on JetStream across a nats-server restart, on a private server the tests stop and
// start (each build: the distribution's and the current one). File storage keeps the history and
// the sessions; what was published while the server was down is a gap in the history; memory
// storage loses everything, and the cluster makes a new history.
import type { NatsConnection } from "@nats-io/transport-node";
import {
  historyNames,
  historySubjectFor,
  type NatsAdapter,
  type NatsHistoryOptions,
} from "@switchyard/adapter-nats";
import { decodeClusterMessage, MessageType, type ServerOptions } from "@switchyard/server";
import {
  type ClusterNode,
  CONTRACT_OPTIONS,
  emitNumbered,
  RecoveringPeer,
  recoveryCounters,
  startNode,
  upTo,
  waitForMembers,
  waitUntil,
} from "@switchyard/server/testing";
import { io } from "socket.io-client";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  isCi,
  type ServiceFlavor,
  startLocalService,
  type TestService,
} from "../support/services.js";
import { natsBus } from "./nats-bus.js";
import { lastMessage, streamInfo } from "./support/jetstream-api.js";

const RECOVERY: Partial<ServerOptions> = { connectionStateRecovery: {} };

/** A private nats-server of that build; under CI one that cannot start is an error. */
async function privateNats(flavor: ServiceFlavor): Promise<TestService | undefined> {
  try {
    return await startLocalService("nats", { flavor });
  } catch (err) {
    if (isCi()) throw err;
    return undefined;
  }
}

const servers: Array<[string, TestService | undefined]> = [
  ["distribution nats-server", await privateNats("default")],
  ["current nats-server", await privateNats("current")],
];

const nats = (node: ClusterNode): NatsAdapter => node.adapter() as unknown as NatsAdapter;

const counters = recoveryCounters;
const emit = emitNumbered;

for (const [name, service] of servers) {
  describe.skipIf(service === undefined)(`recovery across a restart of the ${name}`, () => {
    const peers: RecoveringPeer[] = [];
    const opened: Array<() => Promise<void>> = [];

    afterEach(async () => {
      for (const peer of peers.splice(0)) peer.close();
      for (const close of opened.splice(0)) await close();
    });
    afterAll(async () => {
      await service?.close();
    });

    const cluster = async (history: NatsHistoryOptions = {}) => {
      const bus = await natsBus(service?.url ?? "", { history });
      const nodes = [
        await startNode(bus, CONTRACT_OPTIONS, RECOVERY),
        await startNode(bus, CONTRACT_OPTIONS, RECOVERY),
      ];
      opened.push(async () => {
        await Promise.allSettled(nodes.map((node) => node.close()));
        await bus.close();
      });
      await waitForMembers(nodes, 2);
      const api = bus.connections[0] as NatsConnection;
      return { bus, nodes: nodes as [ClusterNode, ClusterNode], api, ...historyNames(bus.prefix) };
    };
    const connect = async (node: ClusterNode): Promise<RecoveringPeer> => {
      const peer = await RecoveringPeer.connect(io, node);
      peers.push(peer);
      return peer;
    };
    const stopServer = async (nodes: ClusterNode[]): Promise<void> => {
      await service?.stop();
      await waitUntil(
        () => nodes.every((node) => nats(node).connectionState === "disconnected"),
        "the nodes saw the server go",
      );
    };
    const startServer = async (nodes: ClusterNode[], api: NatsConnection): Promise<void> => {
      await service?.start();
      await waitUntil(
        () => nodes.every((node) => nats(node).connectionState === "connected"),
        "the nodes reconnected",
        15_000,
      );
      await waitUntil(
        () =>
          api.flush().then(
            () => true,
            () => false,
          ),
        "the test's own connection is back",
        15_000,
      );
    };
    const restart = async (nodes: ClusterNode[], api: NatsConnection): Promise<void> => {
      await stopServer(nodes);
      await startServer(nodes, api);
    };

    it("keeps the history and the sessions with file storage: the client recovers all", async () => {
      const { nodes, api, stream } = await cluster();
      const [a, b] = nodes;
      const peer = await connect(a);
      emit(b, "*", "b", 1);
      await waitUntil(() => peer.got.length === 1, "a first event");
      await peer.cut();
      const before = (await streamInfo(api, stream))?.state.last_seq ?? 0;
      for (const n of [2, 3, 4]) emit(b, "*", "b", n);
      await waitUntil(
        async () => ((await streamInfo(api, stream))?.state.last_seq ?? 0) > before,
        "the events are stored",
      );
      await restart(nodes, api);
      await peer.moveTo(b);
      expect(peer.client.recovered).toBe(true);
      expect(peer.stream("b", "*")).toEqual(upTo(4));
    });

    it("writes a gap for what was published while the server was down: a new session", async () => {
      const { bus, nodes, api, stream } = await cluster();
      const [a, b] = nodes;
      const peer = await connect(a);
      emit(b, "*", "b", 1);
      await waitUntil(() => peer.got.length === 1, "a first event");
      await peer.cut();
      const failed = b.adapter().counters.publishFailed;
      await stopServer(nodes);
      emit(b, "*", "b", 2);
      await waitUntil(() => b.adapter().counters.publishFailed > failed, "the append was refused");
      await startServer(nodes, api);
      // b tells the namespace's history about the events it could not write there.
      const all = historySubjectFor(bus.prefix, "/", { kind: "all" });
      await waitUntil(
        async () => {
          const last = await lastMessage(api, stream, all).catch(() => undefined);
          const decoded = last === undefined ? undefined : decodeClusterMessage(last.data);
          return decoded?.ok === true && decoded.message.type === MessageType.HISTORY_GAP;
        },
        "the gap is in the history",
        10_000,
      );
      const gaps = counters(b).misses.gap;
      await peer.moveTo(b);
      expect(peer.client.recovered).toBe(false);
      expect(counters(b).misses.gap).toBe(gaps + 1);
    });

    it("loses everything with memory storage: a new session, then a new history", async () => {
      const { nodes, api } = await cluster({ storage: "memory" });
      const [a, b] = nodes;
      const peer = await connect(a);
      emit(b, "*", "b", 1);
      await waitUntil(() => peer.got.length === 1, "a first event");
      await peer.cut();
      await restart(nodes, api);
      const missed = (node: ClusterNode): number =>
        Object.values(counters(node).misses).reduce((sum, n) => sum + n, 0);
      const before = missed(b);
      await peer.moveTo(b);
      expect(peer.client.recovered).toBe(false);
      expect(missed(b)).toBe(before + 1);
      // The nodes make the history again, and cross-node delivery goes on through it.
      const fresh = await connect(a);
      let n = 0;
      await waitUntil(
        () => {
          emit(b, "*", "again", ++n);
          return fresh.got.length > 0;
        },
        "an event of b reached a's client again",
        10_000,
      );
      expect(nats(b).historyCounters?.epochChanges).toBeGreaterThanOrEqual(1);
    });
  });
}
