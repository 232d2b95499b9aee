// Runs a local redis-server / nats-server binary on a free loopback port.
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  getFreePort,
  LOOPBACK,
  type ServiceKind,
  waitForPortFree,
  waitForService,
  withTimeout,
} from "./net-probe.js";
import { type StartOptions, serviceUrl, type TestService } from "./service-types.js";

// Every child and temp dir we create is tracked so a dying process never leaks servers.
const liveChildren = new Set<ChildProcess>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of liveChildren) {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
    for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  });
}

function serverArgs(
  kind: ServiceKind,
  port: number,
  dataDir: string | undefined,
  persistent: boolean,
): string[] {
  if (kind === "redis") {
    const persistence =
      persistent && dataDir !== undefined
        ? ["--appendonly", "yes", "--appendfsync", "always", "--dir", dataDir]
        : ["--appendonly", "no"];
    return ["--save", "", ...persistence, "--port", String(port), "--bind", LOOPBACK];
  }
  return ["-a", LOOPBACK, "-p", String(port), "-js", "-sd", dataDir ?? tmpdir()];
}

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
  /** Why the child is gone, or undefined while it runs. */
  gone(): string | undefined;
}

function spawnServer(binary: string, args: string[], cwd: string): Running {
  const child = spawn(binary, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  liveChildren.add(child);
  let tail = "";
  const collect = (chunk: Buffer): void => {
    tail = (tail + chunk.toString("utf8")).slice(-2_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let goneReason: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("error", (err) => {
      goneReason = `spawn failed: ${err.message}`;
      liveChildren.delete(child);
      resolve();
    });
    child.once("exit", (code, signal) => {
      goneReason = `${binary} exited (code ${code}, signal ${signal}); output: ${tail.trim()}`;
      liveChildren.delete(child);
      resolve();
    });
  });
  return { child, exited, gone: () => goneReason };
}

async function terminate(running: Running, stopTimeoutMs: number): Promise<void> {
  if (running.gone() !== undefined) return;
  running.child.kill("SIGTERM");
  let killTimer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve) => {
      killTimer = setTimeout(() => {
        running.child.kill("SIGKILL");
        resolve();
      }, stopTimeoutMs);
      void running.exited.then(resolve);
    });
  } finally {
    clearTimeout(killTimer);
  }
  await withTimeout(running.exited, stopTimeoutMs, `pid ${running.child.pid} survived SIGKILL`);
}

/**
 * Spawns `binary` on a free loopback port and resolves once it answers. Retries with a new port
 * (up to 3 times) if the first start fails, since a "free" port can be taken by someone else.
 */
export async function startBinaryService(
  kind: ServiceKind,
  binary: string,
  options: StartOptions = {},
): Promise<TestService> {
  installExitHook();
  const startupTimeoutMs = options.startupTimeoutMs ?? 15_000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
  const persistent = options.persistent === true;
  const dataDir =
    kind === "nats" || persistent
      ? await mkdtemp(join(tmpdir(), `switchyard-${kind}-`))
      : undefined;
  if (dataDir !== undefined) liveDirs.add(dataDir);

  const launch = async (port: number): Promise<Running> => {
    const args = serverArgs(kind, port, dataDir, persistent);
    const running = spawnServer(binary, args, dataDir ?? tmpdir());
    try {
      await waitForService(kind, LOOPBACK, port, {
        timeoutMs: startupTimeoutMs,
        abortReason: running.gone,
      });
      return running;
    } catch (err) {
      await terminate(running, stopTimeoutMs);
      throw err;
    }
  };

  let port = 0;
  let running: Running | undefined;
  const failures: string[] = [];
  for (let attempt = 0; attempt < 3 && running === undefined; attempt++) {
    port = await getFreePort();
    try {
      running = await launch(port);
    } catch (err) {
      failures.push((err as Error).message);
    }
  }
  if (running === undefined) {
    if (dataDir !== undefined) await removeDir(dataDir);
    throw new Error(`could not start ${binary}: ${failures.join(" | ")}`);
  }

  let current: Running | undefined = running;
  let closed = false;
  // Serialize stop/start/close so concurrent calls cannot interleave.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = (op: () => Promise<void>): Promise<void> => {
    const next = queue.then(op);
    queue = next.catch(() => undefined);
    return next;
  };
  const stopNow = async (): Promise<void> => {
    const target = current;
    current = undefined;
    if (target === undefined) return;
    await terminate(target, stopTimeoutMs);
    await waitForPortFree(port, stopTimeoutMs);
  };

  return {
    kind,
    url: serviceUrl(kind, LOOPBACK, port),
    host: LOOPBACK,
    port,
    source: "binary",
    dataDir,
    stop: () => serial(stopNow),
    start: () =>
      serial(async () => {
        if (closed) throw new Error(`${kind} service on port ${port} is closed`);
        if (current !== undefined && current.gone() === undefined) return;
        current = await launch(port);
      }),
    close: () =>
      serial(async () => {
        closed = true;
        await stopNow();
        if (dataDir !== undefined) await removeDir(dataDir);
      }),
  };
}

async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  liveDirs.delete(dir);
}
