// Contract buses over a real nats-server: every node gets its own connection (as separate
// processes would), and every run its own subject prefix (others test on the same server).
import { randomBytes } from "node:crypto";
import { type ConnectionOptions, connect, type NatsConnection } from "@nats-io/transport-node";
import { createAdapter, type NatsHistoryOptions, subjectFor } from "@switchyard/adapter-nats";
import type { AdapterConstructor } from "@switchyard/server";
import type { ContractBus } from "@switchyard/server/testing";

/** Client options for tests: reconnect quickly and forever (fault tests stop the server). */
export const TEST_CONNECTION: Partial<ConnectionOptions> = {
  reconnectTimeWait: 100,
  reconnectJitter: 50,
  maxReconnectAttempts: -1,
  pingInterval: 2000,
};

/**
 * A contract bus on the NATS at `url`; `noEcho` is the recommended production setting, `history`
 * the JetStream history's options (used when the nodes run with recovery).
 */
export async function natsBus(
  url: string,
  options: { noEcho?: boolean; prefix?: string; history?: NatsHistoryOptions } = {},
): Promise<
  ContractBus & { prefix: string; connections: NatsConnection[]; nodeConnections: NatsConnection[] }
> {
  const prefix = options.prefix ?? `sy-test-${randomBytes(4).toString("hex")}`;
  const connections: NatsConnection[] = [];
  const nodeConnections: NatsConnection[] = [];
  const open = async (): Promise<NatsConnection> => {
    const nc = await connect({
      servers: url,
      noEcho: options.noEcho ?? true,
      ...TEST_CONNECTION,
    });
    connections.push(nc);
    return nc;
  };
  const injector = await open();
  // Connections are opened ahead of time: the harness asks for adapters synchronously.
  const spare: NatsConnection[] = [];
  const reserve = async (n: number): Promise<void> => {
    while (spare.length < n) spare.push(await open());
  };
  await reserve(4);
  return {
    prefix,
    connections,
    nodeConnections,
    adapter: (adapterOptions): AdapterConstructor => {
      const nc = spare.shift();
      if (nc === undefined) throw new Error("natsBus: no spare connection (call reserve)");
      nodeConnections.push(nc);
      // Refilled in the background; a failure shows up as "no spare connection" later.
      reserve(2).catch(() => undefined);
      const history = options.history === undefined ? {} : { history: options.history };
      return createAdapter(nc, { ...adapterOptions, prefix, ...history });
    },
    inject: async (nsp, payload) => {
      injector.publish(subjectFor(prefix, nsp, { kind: "all" }), payload);
      await injector.flush();
    },
    close: async () => {
      await Promise.allSettled(connections.filter((nc) => !nc.isClosed()).map((nc) => nc.close()));
    },
  };
}
