// Lame-duck mode on a real two-server NATS cluster: nodes are given only the first server's URL
// (they learn the second from the cluster), the first server enters lame-duck mode (SIGUSR2),
// and every node moves to the second server at once and keeps delivering across nodes.
import { type ChildProcess, spawn } from "node:child_process";
import { connect } from "@nats-io/transport-node";
import type { NatsAdapter } from "@switchyard/adapter-nats";
import {
  type ClusterNode,
  Peers,
  settleSubscriptions,
  startNode,
  waitFor,
  waitForMembers,
  waitUntil,
} from "@switchyard/server/testing";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { terminate } from "../support/child-exit.js";
import { natsBuilds } from "../support/nats-builds.js";
import { getFreePort, LOOPBACK, waitForService } from "../support/net-probe.js";
import { natsBus } from "./nats-bus.js";

/** Starts one nats-server of a two-server cluster (routes to the other's cluster port). */
function startServer(
  binary: string | undefined,
  port: number,
  clusterPort: number,
  routePort: number,
): ChildProcess {
  const args = ["-a", LOOPBACK, "-p", String(port), "--cluster_name", "sy-ldm"];
  args.push("--cluster", `nats://${LOOPBACK}:${clusterPort}`);
  args.push("--routes", `nats://${LOOPBACK}:${routePort}`);
  return spawn(binary ?? "nats-server", args, { stdio: "ignore" });
}

/** Resolves when a message published on `from` reaches a subscriber on `to` (routes are up). */
async function waitForRoute(from: string, to: string): Promise<void> {
  const [pub, sub] = await Promise.all([connect({ servers: from }), connect({ servers: to })]);
  try {
    const subject = `route-check.${Date.now()}`;
    const s = sub.subscribe(subject);
    await sub.flush();
    await waitUntil(async () => {
      pub.publish(subject);
      await pub.flush();
      await new Promise((resolve) => setImmediate(resolve));
      return s.getReceived() > 0;
    }, "the two NATS servers route to each other");
  } finally {
    await Promise.allSettled([pub.close(), sub.close()]);
  }
}

for (const { label, binary } of natsBuilds()) {
  describe.skipIf(binary === undefined)(
    `nats adapter when its server enters lame-duck mode (${label})`,
    () => {
      const servers: ChildProcess[] = [];
      const peers = new Peers(io);
      const nodes: ClusterNode[] = [];
      const failures: unknown[] = [];
      const onFailure = (err: unknown): void => {
        failures.push(err);
      };
      let ports: number[] = [];
      let bus: Awaited<ReturnType<typeof natsBus>>;

      beforeAll(async () => {
        process.on("unhandledRejection", onFailure);
        ports = await Promise.all([0, 1, 2, 3].map(() => getFreePort()));
        const [p1, c1, p2, c2] = ports as [number, number, number, number];
        servers.push(startServer(binary, p1, c1, c2), startServer(binary, p2, c2, c1));
        await Promise.all(
          [p1, p2].map((port) => waitForService("nats", LOOPBACK, port, { timeoutMs: 10_000 })),
        );
        await waitForRoute(`${LOOPBACK}:${p1}`, `${LOOPBACK}:${p2}`);
        bus = await natsBus(`nats://${LOOPBACK}:${p1}`);
        nodes.push(await startNode(bus), await startNode(bus));
        await waitForMembers(nodes, 2);
      });

      afterAll(async () => {
        peers.closeAll();
        await Promise.allSettled(nodes.map((node) => node.close()));
        await bus?.close();
        for (const server of servers) await terminate(server, "SIGKILL");
        process.off("unhandledRejection", onFailure);
      });

      it("moves every node to the other server at once and keeps cross-node delivery", async () => {
        const [a, b] = nodes as [ClusterNode, ClusterNode];
        const pb = await peers.connect(b);
        await pb.socket.join("ldm-room");
        await settleSubscriptions(nodes);
        const first = waitFor(pb.client, "msg");
        a.io.to("ldm-room").emit("msg", 1);
        expect(await first).toEqual([1]);

        const second = `${LOOPBACK}:${ports[2]}`;
        const started = Date.now();
        servers[0]?.kill("SIGUSR2");
        const adapters = nodes.map((node) => node.adapter() as unknown as NatsAdapter);
        await waitUntil(
          () =>
            bus.nodeConnections.every((nc) => nc.getServer() === second) &&
            adapters.every(
              (adapter) => adapter.connectionState === "connected" && !adapter.lameDuck,
            ),
          "every connection moved to the second server",
          10_000,
        );
        // The lame-duck server would start closing clients only after its 10 s grace period.
        expect(Date.now() - started).toBeLessThan(5000);
        await waitForMembers(nodes, 2);
        // A round trip on each connection: the second server has processed the re-sent SUBs.
        await Promise.all(bus.nodeConnections.map((nc) => nc.flush()));
        const after = waitFor(pb.client, "msg");
        a.io.to("ldm-room").emit("msg", 2);
        expect(await after).toEqual([2]);
        expect(failures).toEqual([]);
      });
    },
  );
}
