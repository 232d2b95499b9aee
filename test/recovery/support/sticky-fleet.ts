// The sticky app of the recovery fault tests (fixtures/sticky-recovery.ts) as fleet nodes: one per
// worker, driven over the worker's control port; respawned workers show up as new nodes.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { terminate } from "../../support/child-exit.js";
import type { FleetNode } from "./fleet.js";

/** The running app: its public port, its workers by node id (latest process of each). */
export interface StickyApp {
  readonly port: number;
  readonly workers: Map<string, FleetNode & { pid: number }>;
  /** Resolves with the next worker that starts (a respawn). */
  nextWorker(): Promise<FleetNode & { pid: number }>;
  stop(): Promise<void>;
}

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "sticky-recovery.ts");

/** Starts the app and resolves once its three workers reported their control ports. */
export async function startStickyApp(): Promise<StickyApp> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=source", FIXTURE],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const workers = new Map<string, FleetNode & { pid: number }>();
  const waiting: Array<(node: FleetNode & { pid: number }) => void> = [];
  let port = 0;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the sticky app did not start")), 30_000);
    child.once("exit", (code) => reject(new Error(`the sticky app exited (${String(code)})`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      const message = JSON.parse(line) as {
        port?: number;
        worker?: string;
        pid?: number;
        ctl?: number;
      };
      if (message.port !== undefined) port = message.port;
      if (message.worker !== undefined && message.ctl !== undefined && message.pid !== undefined) {
        const node = workerNode(message.worker, message.pid, message.ctl, child);
        workers.set(node.id, node);
        waiting.shift()?.(node);
      }
      if (port > 0 && workers.size >= 3) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await ready;
  return {
    port,
    workers,
    nextWorker: () => new Promise((resolve) => waiting.push(resolve)),
    stop: () => terminate(child, "SIGTERM", 5_000),
  };
}

function workerNode(
  id: string,
  pid: number,
  ctl: number,
  child: ChildProcess,
): FleetNode & { pid: number } {
  return {
    id,
    pid,
    url: `http://127.0.0.1:${ctl}`,
    child,
    async command(cmd, extra = {}) {
      const res = await fetch(`http://127.0.0.1:${ctl}/${cmd}`, {
        method: "POST",
        body: JSON.stringify(extra),
        signal: AbortSignal.timeout(10_000),
      });
      return (await res.json()) as Record<string, unknown>;
    },
  };
}
