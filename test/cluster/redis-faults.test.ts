// Broker outage: a private redis-server is stopped for ~2 s while clients chat, then restarted on
// the same port. Nodes stay up, local rooms keep working, cross-node delivery resumes after.
import { setTimeout as delay } from "node:timers/promises";
import type { AdapterError } from "@switchyard/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalService, type TestService } from "../support/services.js";
import {
  type ClusterNode,
  fence,
  type Peer,
  Peers,
  settleSubscriptions,
  startNode,
  waitFor,
  waitForMembers,
} from "./cluster-harness.js";
import { redisBus } from "./redis-bus.js";

/** Broadcasts `event` to "chat" from `from` every 100 ms until `to`'s client receives it. */
async function resendUntilDelivered(from: ClusterNode, to: Peer, event: string): Promise<void> {
  const arrived = waitFor(to.client, event, 15_000);
  let sent = 0;
  const sender = setInterval(() => from.io.to("chat").emit(event, ++sent), 100);
  try {
    await arrived;
  } finally {
    clearInterval(sender);
  }
}

/** How long the broker stays down: the fault itself, not a synchronisation. */
const OUTAGE_MS = 2000;

async function tryStart(): Promise<TestService | undefined> {
  try {
    return await startLocalService("redis");
  } catch {
    return undefined;
  }
}

for (const sharded of [false, true]) {
  const service = await tryStart();
  describeOutage(service, sharded);
}

function describeOutage(service: TestService | undefined, sharded: boolean): void {
  const mode = sharded ? "sharded pub/sub" : "classic pub/sub";
  describe.skipIf(service === undefined)(`redis adapter (${mode}) during a broker outage`, () => {
    const bus = redisBus(service?.url ?? "", sharded);
    const peers = new Peers();
    const nodes: ClusterNode[] = [];
    const failures: unknown[] = [];
    const adapterErrors: AdapterError[] = [];
    const onFailure = (err: unknown): void => {
      failures.push(err);
    };

    beforeAll(async () => {
      process.on("unhandledRejection", onFailure);
      process.on("uncaughtException", onFailure);
      nodes.push(await startNode(bus), await startNode(bus));
      for (const node of nodes)
        node.adapter().on("error", (err: AdapterError) => adapterErrors.push(err));
      await waitForMembers(nodes, 2);
    });

    afterAll(async () => {
      peers.closeAll();
      await Promise.allSettled(nodes.map((node) => node.close()));
      await bus.close();
      await service?.close();
      process.off("unhandledRejection", onFailure);
      process.off("uncaughtException", onFailure);
    });

    it("keeps local rooms working while Redis is down and resumes cross-node delivery after restart", async () => {
      const [a, b] = nodes as [ClusterNode, ClusterNode];
      const a1 = await peers.connect(a);
      const a2 = await peers.connect(a);
      const b1 = await peers.connect(b);
      for (const peer of [a1, a2, b1]) await peer.socket.join("chat");
      await settleSubscriptions(nodes);
      a.io.to("chat").emit("msg", "before");
      await fence(a, [a1, a2, b1]);
      expect(b1.got).toEqual([["before"]]);

      await service?.stop();
      const outageStarted = Date.now();
      // Local delivery does not wait for the broker: both local members get it at once.
      const local = [a1, a2].map((peer) => waitFor(peer.client, "during", 1000));
      a.io.to("chat").emit("during", "local-only");
      await Promise.all(local);
      await delay(Math.max(0, OUTAGE_MS - (Date.now() - outageStarted)));
      expect(a1.client.connected && b1.client.connected).toBe(true);

      await service?.start();
      // Each client reconnects on its own backoff and pub/sub is at-most-once: resend until
      // the first message gets through, in both directions.
      await resendUntilDelivered(a, b1, "after");
      await resendUntilDelivered(b, a1, "reverse");
      await waitForMembers(nodes, 2);
      expect(failures).toEqual([]);
      // Whatever the adapters reported during the outage is a typed, documented error.
      const known = new Set(["SY_ERR_REDIS_CLIENT_ERROR", "SY_ERR_ADAPTER_PUBLISH_FAILED"]);
      expect(adapterErrors.filter((err) => !known.has(err.code))).toEqual([]);
    });

    it("drops peers during an outage longer than the heartbeat timeout and takes them back after", async () => {
      const [a, b] = nodes as [ClusterNode, ClusterNode];
      const left = [a, b].map((node) =>
        waitFor<[string, string]>(node.adapter(), "node-left", 15_000),
      );
      await service?.stop();
      const reasons = await Promise.all(left);
      expect(reasons.map(([, reason]) => reason)).toEqual(["timeout", "timeout"]);
      expect(await a.adapter().serverCount()).toBe(1);
      const back = [a, b].map((node) => waitFor<[string]>(node.adapter(), "node-joined", 15_000));
      await service?.start();
      const joined = await Promise.all(back);
      expect(joined.map(([uid]) => uid)).toEqual([b.adapter().uid, a.adapter().uid]);
      await waitForMembers(nodes, 2);
      expect(failures).toEqual([]);
    });
  });
}
