// The permissions of docs/deployment-nats.md on a real nats-server: nodes allowed on
// `{prefix}.>` form a cluster, an emitter allowed to publish only to namespace and room subjects
// reaches room members, and a node without subscribe rights reports the violation instead of
// crashing.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createAdapter, Emitter } from "@switchyard/adapter-nats";
import type { AdapterError } from "@switchyard/server";
import {
  type ClusterNode,
  type ContractBus,
  Peers,
  settleSubscriptions,
  startNode,
  waitFor,
  waitForMembers,
  waitUntil,
} from "@switchyard/server/testing";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { natsBuilds } from "../support/nats-builds.js";
import { getFreePort, LOOPBACK, waitForService } from "../support/net-probe.js";
import { TEST_CONNECTION } from "./nats-bus.js";

const CONFIG = `
authorization {
  users: [
    { user: node, password: node-secret,
      permissions: { publish: "socket.io.>", subscribe: "socket.io.>" } }
    { user: emitter, password: emitter-secret,
      permissions: { publish: ["socket.io.*.a", "socket.io.*.r.*"], subscribe: { deny: ">" } } }
  ]
}
`;

for (const { label, binary } of natsBuilds()) {
  describe.skipIf(binary === undefined)(
    `nats adapter with the documented permissions (${label})`,
    () => {
      const connections: NatsConnection[] = [];
      const nodes: ClusterNode[] = [];
      const peers = new Peers(io);
      let server: ChildProcess | undefined;
      let dir = "";
      let url = "";

      const open = async (user: string): Promise<NatsConnection> => {
        const pass = `${user}-secret`;
        const nc = await connect({ servers: url, user, pass, noEcho: true, ...TEST_CONNECTION });
        connections.push(nc);
        return nc;
      };
      const busAs = (user: string): ContractBus => {
        const pending: NatsConnection[] = [];
        return {
          adapter: (options) => {
            const nc = pending.shift();
            if (nc === undefined) throw new Error("no connection");
            return createAdapter(nc, options);
          },
          inject: () => Promise.resolve(),
          close: () => Promise.resolve(),
          // Connections are opened before each node: the adapter factory is synchronous.
          ...{ prepare: async () => pending.push(await open(user)) },
        } as ContractBus;
      };
      const startAs = async (user: string): Promise<ClusterNode> => {
        const bus = busAs(user) as ContractBus & { prepare(): Promise<void> };
        await bus.prepare();
        return startNode(bus);
      };

      beforeAll(async () => {
        dir = await mkdtemp(join(tmpdir(), "sy-nats-perm-"));
        await writeFile(join(dir, "nats.conf"), CONFIG);
        const port = await getFreePort();
        url = `nats://${LOOPBACK}:${port}`;
        const args = ["-a", LOOPBACK, "-p", String(port), "-c", join(dir, "nats.conf")];
        server = spawn(binary ?? "nats-server", args, { stdio: "ignore" });
        await waitForService("nats", LOOPBACK, port, { timeoutMs: 10_000 });
        nodes.push(await startAs("node"), await startAs("node"));
        await waitForMembers(nodes, 2);
      });

      afterAll(async () => {
        peers.closeAll();
        await Promise.allSettled(nodes.map((node) => node.close()));
        await Promise.allSettled(
          connections.filter((nc) => !nc.isClosed()).map((nc) => nc.close()),
        );
        if (server !== undefined && server.exitCode === null && server.signalCode === null) {
          const exited = once(server, "exit");
          server.kill("SIGTERM");
          await exited;
        }
        await rm(dir, { recursive: true, force: true });
      });

      it("lets nodes allowed on the prefix deliver room broadcasts and answer requests", async () => {
        const [a, b] = nodes as [ClusterNode, ClusterNode];
        const pb = await peers.connect(b);
        await pb.socket.join("perm-room");
        await settleSubscriptions(nodes);
        const arrived = waitFor(pb.client, "msg");
        a.io.to("perm-room").emit("msg", "allowed");
        expect(await arrived).toEqual(["allowed"]);
        const found = await a.io.in("perm-room").fetchSockets();
        expect(found.map((s) => s.id)).toEqual([pb.socket.id]);
      });

      it("lets a publish-only emitter reach room members", async () => {
        const [, b] = nodes as [ClusterNode, ClusterNode];
        const pb = await peers.connect(b);
        await pb.socket.join("emitter-room");
        await settleSubscriptions(nodes);
        const errors: unknown[] = [];
        const emitter = new Emitter(await open("emitter"), { onError: (err) => errors.push(err) });
        const arrived = waitFor(pb.client, "from-emitter");
        emitter.to("emitter-room").emit("from-emitter", 1);
        expect(await arrived).toEqual([1]);
        expect(errors).toEqual([]);
      });

      it("reports a node without subscribe rights on 'error' instead of crashing, and drops it when it closes", async () => {
        const intruder = await startAs("emitter");
        const errors: AdapterError[] = [];
        intruder.adapter().on("error", (err: AdapterError) => errors.push(err));
        await waitUntil(
          () => errors.some((err) => err.code === "SY_ERR_ADAPTER_NATS_CONNECTION_ERROR"),
          "the permissions violation is reported",
        );
        // Membership needs only publishing: its heartbeats on the namespace subject make it count
        // (see "Authentication and permissions" in docs/deployment-nats.md) until it says goodbye.
        await waitForMembers(nodes, 3);
        await intruder.close();
        await waitForMembers(nodes, 2);
      });
    },
  );
}
