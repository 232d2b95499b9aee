// @socket.io/postgres-adapter (a socket.io-adapter ClusterAdapterWithHeartbeat over LISTEN/NOTIFY)
// as the `adapter` of switchyard nodes and of a mixed fleet, against a real PostgreSQL (Debian's
// server, started by the tests on a free loopback port; POSTGRES_URL to use another).
import { randomUUID } from "node:crypto";
import { createAdapter } from "@socket.io/postgres-adapter";
import pg from "pg";
import { afterAll } from "vitest";
import { resolvePostgres } from "../support/services.js";
import type { AdapterUnderTest } from "./support/fleet.js";
import { describeOfficialAdapterContract } from "./support/official-contract.js";

const postgres = await resolvePostgres({
  onUnavailable: (message) => console.warn(`[services] ${message}; postgres tests skip.`),
});
afterAll(async () => postgres?.close());

/** The attachments table of the adapter's README (payloads over 8000 bytes go through it). */
async function createAttachmentsTable(url: string, table: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${table} (id bigserial UNIQUE, created_at timestamptz DEFAULT NOW(), payload bytea)`,
    );
  } finally {
    await client.end();
  }
}

/** One pool per node; every suite gets its own channels and attachments table. */
function postgresAdapter(): AdapterUnderTest {
  const suffix = randomUUID().replaceAll("-", "");
  const table = `attachments_${suffix}`;
  const pools: pg.Pool[] = [];
  /** Connections of the pools not yet closed, and who waits for there to be none. */
  const open = new Set<pg.PoolClient>();
  let onAllClosed: (() => void) | undefined;
  let tableReady: Promise<void> | undefined;
  return {
    async create() {
      const url = postgres?.url ?? "";
      tableReady ??= createAttachmentsTable(url, table);
      await tableReady;
      // Two connections: the adapter's LISTEN client and one for publishes, which then leave in
      // the order they were made (the contract's fences rely on one publisher's order).
      const pool = new pg.Pool({ connectionString: url, max: 2 });
      // The adapter keeps its LISTEN connection checked out, where the pool does not handle its
      // errors: when the server stops at the end of the file (fast shutdown), that connection
      // ends with 57P01, expected then; any other error still surfaces.
      pool.on("connect", (client) => {
        open.add(client);
        client.on("error", (err: Error & { code?: string }) => {
          if (err.code !== "57P01") throw err;
        });
      });
      // Emitted once a client's connection has closed (the client's own `end` listeners are
      // not usable: the adapter removes them all when it closes).
      pool.on("remove", (client) => {
        open.delete(client);
        if (open.size === 0) onAllClosed?.();
      });
      pools.push(pool);
      return createAdapter(pool, {
        channelPrefix: `compat_${suffix}`,
        tableName: table,
        heartbeatInterval: 1000,
        heartbeatTimeout: 5000,
      });
    },
    async release() {
      // pg-pool resolves end() once it has asked its idle clients to end, before their
      // connections close; one still open when the server stops at the end of the file gets
      // 57P01, which the pool re-emits as its own `error` (uncaught). So wait for the closes.
      const allClosed = new Promise<void>((resolve) => {
        onAllClosed = resolve;
      });
      await Promise.allSettled(pools.splice(0).map((pool) => pool.end()));
      if (open.size > 0) await allClosed;
    },
  };
}

describeOfficialAdapterContract("@socket.io/postgres-adapter on switchyard nodes", {
  kinds: ["switchyard", "switchyard", "switchyard"],
  adapter: postgresAdapter(),
  recovers: false,
  skip: postgres === undefined,
});

describeOfficialAdapterContract(
  "@socket.io/postgres-adapter, mixed fleet (switchyard and socket.io nodes)",
  {
    kinds: ["socket.io", "switchyard", "socket.io"],
    adapter: postgresAdapter(),
    recovers: false,
    skip: postgres === undefined,
  },
);

// The baseline: the same contract on official nodes only.
describeOfficialAdapterContract("@socket.io/postgres-adapter on socket.io nodes (baseline)", {
  kinds: ["socket.io", "socket.io", "socket.io"],
  adapter: postgresAdapter(),
  recovers: false,
  skip: postgres === undefined,
});
