// Broker outage: a private redis-server is stopped for ~2 s while clients chat, then restarted on
// the same port. Nodes stay up, local rooms keep working, cross-node delivery resumes after.
// With ioredis and node-redis 4 and 5, classic and sharded pub/sub.
import { type ClusterNode, type Peer, waitFor, waitForMembers } from "@switchyard/server/testing";
import { describe, expect, it } from "vitest";
import { startLocalService, type TestService } from "../support/services.js";
import { REDIS_LIBRARIES, type RedisLibrary, redisBus } from "./redis-bus.js";
import {
  expectLocalDelivery,
  openChat,
  outlastOutage,
  startOutageCluster,
} from "./support/outage.js";

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

async function tryStart(): Promise<TestService | undefined> {
  try {
    return await startLocalService("redis");
  } catch {
    return undefined;
  }
}

for (const library of REDIS_LIBRARIES) {
  for (const sharded of [false, true]) {
    const service = await tryStart();
    describeOutage(service, sharded, library);
  }
}

function describeOutage(
  service: TestService | undefined,
  sharded: boolean,
  library: RedisLibrary,
): void {
  const mode = `${library}, ${sharded ? "sharded pub/sub" : "classic pub/sub"}`;
  describe.skipIf(service === undefined)(`redis adapter (${mode}) during a broker outage`, () => {
    const cluster = startOutageCluster(service, () =>
      redisBus(service?.url ?? "", sharded, library),
    );
    const { nodes, failures, adapterErrors } = cluster;

    it("keeps local rooms working while Redis is down and resumes cross-node delivery after restart", async () => {
      const chat = await openChat(cluster);
      const { a, b, a1, b1 } = chat;

      await service?.stop();
      const outageStarted = Date.now();
      await expectLocalDelivery(chat);
      await outlastOutage(chat, outageStarted);

      await service?.start();
      // Each client reconnects on its own backoff and pub/sub is at-most-once: resend until
      // the first message gets through, in both directions.
      await resendUntilDelivered(a, b1, "after");
      await resendUntilDelivered(b, a1, "reverse");
      await waitForMembers(nodes, 2);
      expect(failures).toEqual([]);
      // Whatever the adapters reported during the outage is a typed, documented error.
      const known = new Set(["SY_ERR_ADAPTER_REDIS_CLIENT_ERROR", "SY_ERR_ADAPTER_PUBLISH_FAILED"]);
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
