// Spawns an IPC adapter fixture (a node:cluster primary and its workers) as a child process and
// stops it; the fixture prints one JSON line on stdout once it is up.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { terminate } from "../../support/child-exit.js";

const root = join(import.meta.dirname, "..", "..", "..");

export interface FixtureProcess<T> {
  readonly info: T;
  readonly child: ChildProcess;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the primary exited. */
  stop(): Promise<void>;
}

/** Starts `test/sticky/fixtures/<name>` and waits for its first stdout line. */
export async function startFixture<T>(
  name: string,
  env: Record<string, string> = {},
  timeoutMs = 25_000,
): Promise<FixtureProcess<T>> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=source", join(root, "test/sticky/fixtures", name)],
    { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] },
  );
  const stop = (): Promise<void> => terminate(child, "SIGTERM", 5_000);
  const info = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in time`)), timeoutMs);
    child.once("exit", (code) => reject(new Error(`${name} exited early (${String(code)})`)));
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as T);
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { info, child, stop };
}
