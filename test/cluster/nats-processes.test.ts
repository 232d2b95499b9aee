// The NATS adapter with every node in its own OS process against a real nats-server: rooms,
// fetchSockets, the Emitter from a non-server process, a graceful exit (drain) and a node killed
// without ADAPTER_CLOSE.
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { connect } from "@nats-io/transport-node";
import { Emitter } from "@switchyard/adapter-nats";
import { waitUntil } from "@switchyard/server/testing";
import { describe, expect, inject, it } from "vitest";
import { countsAll } from "./support/node-processes.js";
import {
  itDropsAKilledNode,
  itSharesRoomsAcrossProcesses,
  startProcessCluster,
} from "./support/process-suite.js";

const servers: Array<[string, string | undefined]> = [
  ["distribution nats-server", inject("natsUrl")],
  ["current nats-server", inject("natsCurrentUrl")],
];
const prefix = `sy-proc-${randomBytes(4).toString("hex")}`;

for (const [label, url] of servers) {
  describe.skipIf(url === undefined)(`nats adapter across OS processes (${label})`, () => {
    const cluster = startProcessCluster({
      fixture: "nats-node.ts",
      env: { NATS_URL: url, SY_PREFIX: prefix },
      nodes: 4,
      connect: async () => {
        const nc = await connect({ servers: url ?? "" });
        return { emitter: () => new Emitter(nc, { prefix }), close: () => nc.close() };
      },
    });

    itSharesRoomsAcrossProcesses(cluster);

    it("drops a node that exits gracefully at once (ADAPTER_CLOSE, then drain)", async () => {
      const leaving = cluster.children[3] as ChildProcess;
      const exited = once(leaving, "exit");
      const started = Date.now();
      leaving.kill("SIGTERM");
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      const alive = cluster.clients.slice(0, 3);
      await waitUntil(() => countsAll(alive, 3), "the leaving node is dropped", 5000);
      // Well under the 2500 ms heartbeat timeout: the close message did it.
      expect(Date.now() - started).toBeLessThan(2000);
    });

    // Last: the graceful exit above left three nodes, and this kills one more.
    itDropsAKilledNode(cluster);
  });
}
