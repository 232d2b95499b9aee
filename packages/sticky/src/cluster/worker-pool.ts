// The primary's workers: one slot per node id, forked with that id and a private socket path;
// a dead worker is respawned into the same slot (same node id, so its sid tag stays stable).
import cluster, { type Worker } from "node:cluster";
import { unlinkSync } from "node:fs";
import { Agent } from "node:http";
import { join } from "node:path";
import { nodeTag } from "@switchyard/server";
import { InvalidArgumentError, StickyError, StickyErrorCode } from "../errors.js";
import { stickyLog } from "../log.js";
import type { ResolvedPrimaryOptions } from "./primary-options.js";
import { NODE_ID_ENV, readIpcMessage, STICKY_SOCKET_ENV } from "./worker-message.js";

/** One worker position: stable identity, and the live worker in it (if any). */
export interface WorkerSlot {
  readonly index: number;
  readonly nodeId: string;
  readonly tag: string;
  readonly socketPath: string;
  worker: Worker | undefined;
  /** The worker called `setupWorker()` and has not exited since. */
  ready: boolean;
  agent: Agent;
  /** Requests proxied to it right now. */
  inFlight: number;
  /** Upgraded sockets handed to it and still open. */
  handedOff: number;
  respawns: number;
}

const MAX_RESPAWN_DELAY_MS = 5_000;
/** Longest Unix socket path most platforms accept (sun_path is 104–108 bytes). */
const MAX_SOCKET_PATH = 100;

/** Forks and supervises the workers of one sticky primary. */
export class WorkerPool {
  readonly slots: readonly WorkerSlot[];
  readonly #options: ResolvedPrimaryOptions;
  readonly #readyWaiters = new Set<() => void>();
  #closing = false;

  constructor(options: ResolvedPrimaryOptions) {
    this.#options = options;
    const byTag = new Map<string, string>();
    this.slots = Array.from({ length: options.workers }, (_, index) => {
      const nodeId = `${options.nodeIdPrefix}-w${index + 1}`;
      const tag = nodeTag(nodeId);
      const other = byTag.get(tag);
      if (other !== undefined) {
        throw new StickyError(
          StickyErrorCode.TAG_COLLISION,
          `workers ${other} and ${nodeId} share the sid tag ${tag}; change nodeIdPrefix`,
        );
      }
      byTag.set(tag, nodeId);
      const socketPath = join(
        options.socketDir,
        `switchyard-sticky-${process.pid}-${index + 1}.sock`,
      );
      if (socketPath.length > MAX_SOCKET_PATH) {
        throw new InvalidArgumentError(
          `socketDir is too long for a Unix socket path: ${socketPath}`,
        );
      }
      return {
        index,
        nodeId,
        tag,
        socketPath,
        worker: undefined,
        ready: false,
        agent: newAgent(options),
        inFlight: 0,
        handedOff: 0,
        respawns: 0,
      };
    });
  }

  /** Forks every worker; resolves once all called `setupWorker()` or `readyTimeoutMs` passed. */
  async start(): Promise<void> {
    if (this.#options.exec !== undefined) cluster.setupPrimary({ exec: this.#options.exec });
    for (const slot of this.slots) this.#fork(slot, 0);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.#options.readyTimeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      const check = (): void => {
        if (this.slots.every((slot) => slot.ready)) {
          this.#readyWaiters.delete(check);
          done();
        }
      };
      this.#readyWaiters.add(check);
      check();
    });
  }

  /** Stops respawning, asks every worker to exit (SIGTERM, then SIGKILL after the drain time). */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.slots.map((slot) => this.#stop(slot)));
    for (const slot of this.slots) {
      slot.agent.destroy();
      removeFile(slot.socketPath);
    }
  }

  #fork(slot: WorkerSlot, delayMs: number): void {
    const startedAt = Date.now();
    removeFile(slot.socketPath);
    const worker = cluster.fork({
      ...this.#options.env,
      [NODE_ID_ENV]: slot.nodeId,
      [STICKY_SOCKET_ENV]: slot.socketPath,
    });
    slot.worker = worker;
    stickyLog.log("worker %s forked (pid %d)", slot.nodeId, worker.process.pid);
    worker.on("message", (value: unknown) => {
      const message = readIpcMessage(value);
      if (message?.kind === "ready" && slot.worker === worker) {
        slot.ready = true;
        for (const waiter of this.#readyWaiters) waiter();
      } else if (message?.kind === "released") {
        slot.handedOff = Math.max(0, slot.handedOff - 1);
      }
    });
    worker.on("error", () => undefined);
    worker.once("exit", (code: number | null, signal: string | null) => {
      if (slot.worker !== worker) return;
      stickyLog.log("worker %s exited (%s)", slot.nodeId, signal ?? code);
      slot.worker = undefined;
      slot.ready = false;
      slot.handedOff = 0;
      slot.agent.destroy();
      slot.agent = newAgent(this.#options);
      if (this.#closing) return;
      // A worker that dies at once is respawned with a growing delay (crash loops stay cheap).
      const lived = Date.now() - startedAt;
      const next = lived < 1_000 ? Math.min(Math.max(delayMs * 2, 100), MAX_RESPAWN_DELAY_MS) : 0;
      slot.respawns++;
      setTimeout(() => {
        if (!this.#closing) this.#fork(slot, next);
      }, next).unref();
    });
  }

  async #stop(slot: WorkerSlot): Promise<void> {
    const worker = slot.worker;
    if (worker === undefined || worker.isDead()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => worker.process.kill("SIGKILL"), this.#options.drainTimeoutMs);
      worker.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      worker.process.kill("SIGTERM");
    });
  }
}

function newAgent(options: ResolvedPrimaryOptions): Agent {
  return new Agent({ keepAlive: true, timeout: options.idleTimeoutMs, maxFreeSockets: 64 });
}

function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
