// The permissions docs/deployment-nats.md lists for recovery, on a real nats-server with
// JetStream (each build): nodes allowed `socket.io.>`, `$JS.API.>`, the session bucket's
// subjects and `_INBOX.>` recover a client across nodes, and an Emitter allowed only the
// history subjects of namespaces and rooms (plus `_INBOX.>` for acknowledgements) stores its
// events where a returning client finds them. Nothing is reported as a violation.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createAdapter, Emitter } from "@switchyard/adapter-nats";
import type { AdapterError, ServerOptions } from "@switchyard/server";
import {
  type ClusterNode,
  CONTRACT_OPTIONS,
  type ContractBus,
  RecoveringPeer,
  settleSubscriptions,
  startNode,
  upTo,
  waitForMembers,
  waitUntil,
} from "@switchyard/server/testing";
import { io } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { getFreePort, LOOPBACK, waitForService } from "../support/net-probe.js";
import { CURRENT_NATS, defaultBinDirs, findBinary, isCi } from "../support/services.js";
import { TEST_CONNECTION } from "./nats-bus.js";

const RECOVERY: Partial<ServerOptions> = { connectionStateRecovery: {} };
const current =
  process.env[CURRENT_NATS.binaryVar] ??
  findBinary("nats", defaultBinDirs(), CURRENT_NATS.binaryName);
if (current === undefined && isCi()) throw new Error("CI needs the current nats-server");
const binaries: Array<[string, string | undefined]> = [
  ["distribution nats-server", findBinary("nats", defaultBinDirs())],
  ["current nats-server", current],
];

const config = (store: string): string => `
jetstream { store_dir: "${store}" }
authorization {
  users: [
    { user: node, password: node-secret,
      permissions: {
        publish: ["socket.io.>", "$JS.API.>", "$KV.SY_socket_io_sessions.>"],
        subscribe: ["socket.io.>", "_INBOX.>"] } }
    { user: emitter, password: emitter-secret,
      permissions: {
        publish: ["socket.io.h.*.a", "socket.io.h.*.r.*"],
        subscribe: "_INBOX.>" } }
  ]
}
`;

for (const [name, binary] of binaries) {
  describe.skipIf(binary === undefined)(`recovery with the documented permissions: ${name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    /** A private server with the permissions above; returns how to connect as a user. */
    const serve = async (): Promise<(user: string) => Promise<NatsConnection>> => {
      const dir = await mkdtemp(join(tmpdir(), "sy-nats-rperm-"));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      await writeFile(join(dir, "nats.conf"), config(join(dir, "js")));
      const port = await getFreePort();
      const args = ["-a", LOOPBACK, "-p", String(port), "-c", join(dir, "nats.conf")];
      const server: ChildProcess = spawn(binary ?? "nats-server", args, { stdio: "ignore" });
      cleanups.push(async () => {
        if (server.exitCode !== null || server.signalCode !== null) return;
        const exited = once(server, "exit");
        server.kill("SIGKILL");
        await exited;
      });
      await waitForService("nats", LOOPBACK, port, { timeoutMs: 10_000 });
      return async (user) => {
        const nc = await connect({
          servers: `nats://${LOOPBACK}:${port}`,
          user,
          pass: `${user}-secret`,
          noEcho: true,
          ...TEST_CONNECTION,
        });
        cleanups.push(() => nc.close().catch(() => undefined));
        return nc;
      };
    };

    it("lets nodes and a recovering Emitter work with nothing reported", async () => {
      const open = await serve();
      const errors: AdapterError[] = [];
      const nodes: ClusterNode[] = [];
      for (let i = 0; i < 2; i++) {
        const nc = await open("node");
        const bus: ContractBus = {
          adapter: (options) => createAdapter(nc, { ...options, drainOnClose: false }),
          inject: () => Promise.resolve(),
          close: () => Promise.resolve(),
        };
        const node = await startNode(bus, CONTRACT_OPTIONS, RECOVERY);
        cleanups.push(() => node.close());
        node.adapter().on("error", (err: AdapterError) => errors.push(err));
        nodes.push(node);
      }
      await waitForMembers(nodes, 2);
      const [a, b] = nodes as [ClusterNode, ClusterNode];
      const emitterErrors: unknown[] = [];
      const emitter = new Emitter(await open("emitter"), {
        recovery: true,
        onError: (err) => emitterErrors.push(err),
      });
      const peer = await RecoveringPeer.connect(io, a);
      cleanups.push(async () => peer.close());
      await peer.socket.join("perm");
      await settleSubscriptions(nodes);
      b.io.to("perm").emit("seq", { from: "b", to: "perm", n: 1 });
      emitter.to("perm").emit("seq", { from: "worker", to: "perm", n: 1 });
      await waitUntil(() => peer.got.length === 2, "both first events, live");
      await peer.cut();
      b.io.to("perm").emit("seq", { from: "b", to: "perm", n: 2 });
      emitter.to("perm").emit("seq", { from: "worker", to: "perm", n: 2 });
      await peer.moveTo(b);
      await waitUntil(
        () => peer.stream("b", "perm").length === 2 && peer.stream("worker", "perm").length === 2,
        "every event, replayed or live",
      );
      expect(peer.client.recovered).toBe(true);
      expect(peer.stream("b", "perm")).toEqual(upTo(2));
      expect(peer.stream("worker", "perm")).toEqual(upTo(2));
      expect(errors).toEqual([]);
      expect(emitterErrors).toEqual([]);
    });
  });
}
