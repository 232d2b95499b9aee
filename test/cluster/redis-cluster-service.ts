// A throwaway Redis Cluster (3 masters, no replicas) on loopback ports, from the local
// redis-server / redis-cli binaries. Everything it starts is stopped and removed by close().
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
  close(): Promise<void>;
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
export async function startRedisCluster(masters = 3): Promise<RedisClusterService> {
  const dir = await mkdtemp(join(tmpdir(), "switchyard-redis-cluster-"));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(children.map((child) => terminate(child)));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
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
      "0",
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
    return { nodes: ports.map((port) => ({ host: LOOPBACK, port })), close };
  } catch (err) {
    await close();
    throw err;
  }
}
