// A throwaway Redis Cluster (3 masters, optionally a replica each) on loopback ports, from the
// local redis-server / redis-cli binaries. Everything it starts is stopped and removed by close().
// With replicas, `killMasterOf(key)` SIGKILLs the master of a key's slot and resolves once a
// replica took over (a failover).
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { terminate } from "../support/child-exit.js";
import { canBind, getFreePort, LOOPBACK, pollUntil, waitForService } from "../support/net-probe.js";

const run = promisify(execFile);

/** A running Redis Cluster. */
export interface RedisClusterService {
  nodes: Array<{ host: string; port: number }>;
  /** SIGKILLs the master serving `key`'s slot; resolves once another node serves it. */
  killMasterOf(key: string): Promise<{ killed: number; promoted: number }>;
  close(): Promise<void>;
}

/** Options of {@link startRedisCluster}. */
export interface RedisClusterOptions {
  masters?: number;
  /** Replicas per master (0 or 1). @default 0 */
  replicas?: number;
  /** `cluster-node-timeout`: how long before a silent master is failed over, in ms. */
  nodeTimeoutMs?: number;
}

/** A free port whose cluster-bus port (+10000) is free too. */
async function clusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await getFreePort();
    if (port + 10_000 <= 65_535 && (await canBind(port + 10_000))) return port;
  }
  throw new Error("no free port pair for a Redis Cluster node");
}

/** Starts `masters` cluster-enabled redis-servers and joins them into one cluster. */
export async function startRedisCluster(
  options: RedisClusterOptions = {},
): Promise<RedisClusterService> {
  const masters = options.masters ?? 3;
  const replicas = options.replicas ?? 0;
  const dir = await mkdtemp(join(tmpdir(), "switchyard-redis-cluster-"));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(children.map((child) => terminate(child)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) {
      const port = await clusterPort();
      ports.push(port);
      const args = [
        "--port",
        String(port),
        "--bind",
        LOOPBACK,
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        `nodes-${port}.conf`,
        "--save",
        "",
        "--appendonly",
        "no",
        "--cluster-node-timeout",
        String(options.nodeTimeoutMs ?? 15_000),
        // Replicas sync at once (the default waits 5 s for more replicas): a replica that never
        // synced is not allowed to take over.
        "--repl-diskless-sync-delay",
        "0",
      ];
      children.push(spawn("redis-server", args, { cwd: dir, stdio: "ignore" }));
      await waitForService("redis", LOOPBACK, port, { timeoutMs: 15_000 });
    }
    const addresses = ports.map((port) => `${LOOPBACK}:${port}`);
    await run("redis-cli", [
      "--cluster",
      "create",
      ...addresses,
      "--cluster-replicas",
      String(replicas),
      "--cluster-yes",
    ]);
    await pollUntil(
      async () => {
        const states = await Promise.all(
          ports.map((port) => run("redis-cli", ["-p", String(port), "cluster", "info"])),
        );
        return states.every(({ stdout }) => stdout.includes("cluster_state:ok"));
      },
      "the Redis Cluster did not reach cluster_state:ok",
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    await pollUntil(
      async () => {
        const infos = await Promise.all(
          ports.map((port) => run("redis-cli", ["-p", String(port), "info", "replication"])),
        );
        const synced = infos.filter(({ stdout }) => stdout.includes("master_link_status:up"));
        return synced.length === masters * replicas;
      },
      "the replicas did not sync with their masters",
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    const live = new Set(ports);
    const killMasterOf = async (key: string): Promise<{ killed: number; promoted: number }> => {
      const [any] = [...live];
      const cli = (port: number, ...args: string[]) =>
        run("redis-cli", ["-p", String(port), ...args]);
      const slot = Number((await cli(any as number, "cluster", "keyslot", key)).stdout.trim());
      const ownerOf = async (port: number): Promise<number | undefined> => {
        const { stdout } = await cli(port, "cluster", "nodes");
        return masterPortOf(stdout, slot);
      };
      const killed = await ownerOf(any as number);
      if (killed === undefined) throw new Error(`no master serves slot ${slot}`);
      const index = ports.indexOf(killed);
      children[index]?.kill("SIGKILL");
      live.delete(killed);
      let promoted: number | undefined;
      await pollUntil(
        async () => {
          const [survivor] = [...live];
          promoted = await ownerOf(survivor as number).catch(() => undefined);
          return promoted !== undefined && promoted !== killed;
        },
        `no replica took over slot ${slot}`,
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      return { killed, promoted: promoted as number };
    };
    return { nodes: ports.map((port) => ({ host: LOOPBACK, port })), killMasterOf, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * The port of the master serving `slot` from `CLUSTER NODES` (one line per node: id, address,
 * flags, master, ping, pong, epoch, link, then slot ranges), skipping masters flagged as failing.
 */
function masterPortOf(output: string, slot: number): number | undefined {
  for (const line of output.split("\n")) {
    const [, address, flags, , , , , link, ...ranges] = line.trim().split(" ");
    if (address === undefined || flags === undefined || link !== "connected") continue;
    const roles = flags.split(",");
    if (!roles.includes("master") || roles.includes("fail") || roles.includes("fail?")) continue;
    for (const range of ranges) {
      const [from, to] = range.split("-").map(Number);
      if (from !== undefined && slot >= from && slot <= (to ?? from)) {
        return Number(address.split("@")[0]?.split(":")[1]);
      }
    }
  }
  return undefined;
}
