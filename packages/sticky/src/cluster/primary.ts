// The node:cluster primary: terminates HTTP (bounded, see front/front-server.ts) and routes every request
// on its own — a keep-alive connection may carry several sessions' requests. Polling requests are
// proxied to the worker named by the sid tag over its private socket; WebSocket upgrades are
// handed over with their socket and the head bytes, so the primary is out of the data path.
import cluster from "node:cluster";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { AddressLimitCounters } from "@switchyard/server";
import { StickyError, StickyErrorCode } from "../errors.js";
import { answerRaw } from "../front/answer.js";
import { forwardedProto } from "../front/forwarded.js";
import { FrontDoor } from "../front/front-door.js";
import type { FrontStats } from "../front/front-server.js";
import { SidRouter } from "../front/sid-router.js";
import { type PrimaryRelay, setupPrimaryRelay } from "./ipc-relay.js";
import {
  type PrimaryOptions,
  type ResolvedPrimaryOptions,
  resolvePrimaryOptions,
} from "./primary-options.js";
import { STICKY_IPC_MARKER, type UpgradeMessage } from "./worker-message.js";
import { WorkerPool, type WorkerSlot } from "./worker-pool.js";

/** One worker's live state, as reported by {@link StickyPrimary.stats}. */
export interface WorkerStats {
  nodeId: string;
  tag: string;
  pid: number | undefined;
  ready: boolean;
  inFlight: number;
  handedOff: number;
  respawns: number;
}

/** Counters of a running primary. */
export interface PrimaryStats extends FrontStats {
  routedBySid: number;
  /** Requests and upgrades answered 429 by `addressLimits`, by reason. */
  addressRefusals: AddressLimitCounters;
  /** Requests without a query sid routed by the sticky cookie (an existing session). */
  routedByCookie: number;
  /** Requests placed as new sessions (neither a query sid nor a usable cookie). */
  newSessions: number;
  unknownSid: number;
  unavailable: number;
  workers: WorkerStats[];
}

/** A running sticky primary. */
export interface StickyPrimary {
  readonly address: AddressInfo | undefined;
  stats(): PrimaryStats;
  /** Stops accepting, drains in-flight requests, then stops the workers. Idempotent. */
  close(): Promise<void>;
}

/**
 * Forks the workers and starts routing. Call it in the cluster primary; workers call
 * `setupWorker()`. Resolves once listening (after the first workers are ready).
 * @example
 * if (cluster.isPrimary) await setupPrimary({ port: 3000, workers: 4 });
 * else await setupWorker(httpServer);
 * @throws StickyError `SY_ERR_STICKY_WRONG_PROCESS` in a worker; `SY_ERR_STICKY_INVALID_ARGUMENT`.
 */
export async function setupPrimary(options: PrimaryOptions): Promise<StickyPrimary> {
  if (!cluster.isPrimary) {
    throw new StickyError(
      StickyErrorCode.WRONG_PROCESS,
      "setupPrimary() must run in the cluster primary",
    );
  }
  const primary = new Primary(resolvePrimaryOptions(options));
  await primary.start();
  return primary;
}

class Primary implements StickyPrimary {
  readonly #pool: WorkerPool;
  readonly #front: FrontDoor;
  readonly #counters = { clientErrors: 0, tooManyHeaders: 0, tooManyPipelined: 0 };
  readonly #router: SidRouter<WorkerSlot>;
  #closing: Promise<void> | undefined;
  /** Relays the IPC adapter (`createAdapter()` in the workers) between the workers. */
  #relay: PrimaryRelay | undefined;

  constructor(options: ResolvedPrimaryOptions) {
    this.#pool = new WorkerPool(options);
    this.#router = new SidRouter(
      this.#pool.slots.map((slot) => ({ tag: slot.tag, target: slot })),
      options.cookie,
      {
        id: (slot) => slot.nodeId,
        // The sid's worker is gone (or never existed): its sessions died with it. Say so, as
        // engine.io would, instead of handing the request to a worker that does not know it.
        takesSid: (slot) => slot.ready,
        usable: (slot) => slot.ready,
        load: (slot) => slot.inFlight + slot.handedOff,
        place: (ready, _req, placement) => {
          switch (options.loadBalancingMethod) {
            case "round-robin":
              return ready[placement.cursor % ready.length];
            case "random":
              return ready[Math.floor(Math.random() * ready.length)];
            default:
              return placement.leastLoaded();
          }
        },
      },
    );
    this.#front = new FrontDoor(
      options,
      {
        onRequest: (req, res) => this.#onRequest(req, res),
        onUpgrade: (req, socket, head) => this.#onUpgrade(req, socket, head),
      },
      this.#counters,
    );
  }

  get address(): AddressInfo | undefined {
    return this.#front.address;
  }

  async start(): Promise<void> {
    // Before the first fork: a worker's first subscription must find the relay.
    this.#relay = setupPrimaryRelay();
    await this.#pool.start();
    try {
      await this.#front.listen();
    } catch (error) {
      void this.#pool.close().finally(() => this.#relay?.close());
      throw error;
    }
  }

  stats(): PrimaryStats {
    const routes = this.#router.counters;
    return {
      ...this.#counters,
      routedBySid: routes.routedBySid,
      addressRefusals: this.#front.addressRefusals,
      routedByCookie: routes.routedByCookie,
      newSessions: routes.newSessions,
      unknownSid: routes.unknownSid,
      unavailable: routes.unavailable,
      workers: this.#pool.slots.map((slot) => ({
        nodeId: slot.nodeId,
        tag: slot.tag,
        pid: slot.worker?.process.pid,
        ready: slot.ready,
        inFlight: slot.inFlight,
        handedOff: slot.handedOff,
        respawns: slot.respawns,
      })),
    };
  }

  close(): Promise<void> {
    this.#closing ??= this.#drain();
    return this.#closing;
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const slot = this.#front.admitRequest(req, this.#router.route(req), res, "No worker available");
    if (slot === undefined) return;
    slot.inFlight++;
    this.#front.proxy(req, res, {
      target: { agent: slot.agent, socketPath: slot.socketPath },
      forwardedProto: forwardedProto(undefined, false),
      onDone: () => {
        slot.inFlight--;
      },
      onUnreachable: () => undefined,
    });
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const slot = this.#front.admitUpgrade(req, this.#router.route(req), socket);
    if (slot === undefined) return;
    const worker = slot.worker;
    if (worker === undefined || !(socket instanceof Socket)) {
      answerRaw(socket, 503);
      return;
    }
    const message: UpgradeMessage = {
      marker: STICKY_IPC_MARKER,
      kind: "upgrade",
      head: replayBytes(req, head, socket).toString("base64"),
    };
    slot.handedOff++;
    worker.send(message, socket, { keepOpen: false }, (error: Error | null) => {
      if (error === null) return;
      slot.handedOff = Math.max(0, slot.handedOff - 1);
      socket.destroy();
    });
  }

  async #drain(): Promise<void> {
    await this.#front.drain();
    await this.#pool.close();
    this.#relay?.close();
  }
}

/**
 * The bytes the worker must see to parse the upgrade itself: the request head rebuilt from the
 * parsed request (raw header names and order kept), then whatever the client sent after it.
 */
function replayBytes(req: IncomingMessage, head: Buffer, socket: Socket): Buffer {
  let text = `${req.method ?? "GET"} ${req.url ?? "/"} HTTP/${req.httpVersion}\r\n`;
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    text += `${req.rawHeaders[i] ?? ""}: ${req.rawHeaders[i + 1] ?? ""}\r\n`;
  }
  const parts = [Buffer.from(`${text}\r\n`, "latin1"), head];
  for (let chunk: unknown = socket.read(); chunk !== null; chunk = socket.read()) {
    if (Buffer.isBuffer(chunk)) parts.push(chunk);
  }
  return Buffer.concat(parts);
}
