// Spawns the sticky cluster fixture (primary + workers) as a child process and stops it.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { terminate } from "../support/child-exit.js";

const root = join(import.meta.dirname, "..", "..");

export interface ClusterProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** The primary's `stats()` (the fixture prints them on SIGUSR2). */
  stats(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Starts the fixture with `node --import tsx --conditions=source` and waits for its port. */
export async function startCluster(
  workers = 3,
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<ClusterProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=source", join(root, "test/sticky/fixtures/cluster-app.ts")],
    {
      cwd: root,
      env: { ...process.env, ...env, WORKERS: String(workers) },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const stop = (): Promise<void> => terminate(child, "SIGTERM", 5_000);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("cluster did not start in time")), timeoutMs);
    child.once("exit", (code) => reject(new Error(`cluster exited early (${String(code)})`)));
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  const stats = (): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      lines.once("line", (line) => resolve(JSON.parse(line) as Record<string, unknown>));
      child.kill("SIGUSR2");
    });
  return { port, child, stats, stop };
}
