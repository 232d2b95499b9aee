// IpcAdapter: the server's ClusterAdapter over node:cluster IPC. Rooms, broadcasts, acks and
// queries work across the workers of one host with no broker: each worker's bus sends to the
// relay in the primary (setupPrimary, or setupPrimaryRelay with your own primary), which passes
// the messages on to the workers that subscribed. All cluster semantics live in the base class.
import cluster from "node:cluster";
import {
  type AdapterConstructor,
  type AdapterContract,
  type AdapterNamespace,
  ClusterAdapter,
  type ClusterAdapterOptions,
  type ClusterHistory,
  type ClusterTarget,
} from "@switchyard/server";
import { StickyError, StickyErrorCode } from "../errors.js";
import { IpcBus, type IpcBusOptions, type IpcHandler, processChannel } from "./bus.js";

/** Options of {@link createAdapter}. */
export interface IpcAdapterOptions extends ClusterAdapterOptions, IpcBusOptions {
  /**
   * The bus to use. Default: this process's bus over its IPC channel to the primary (one per
   * process, shared by every Server of the worker). Give one for a custom channel or in tests.
   */
  bus?: IpcBus;
}

/** A namespace's adapter over node:cluster IPC (created by {@link createAdapter}). */
export class IpcAdapter extends ClusterAdapter {
  readonly #bus: IpcBus;
  readonly #handler: IpcHandler = (payload, position) => this.onPayload(payload, position);

  constructor(nsp: AdapterNamespace, bus: IpcBus, options: ClusterAdapterOptions = {}) {
    super(nsp, options);
    this.#bus = bus;
  }

  /** The bus below this adapter (its counters show the IPC traffic of the whole worker). */
  get bus(): IpcBus {
    return this.#bus;
  }

  /** The recovery history, kept by the relay in the primary (it outlives any worker). */
  protected override history(): ClusterHistory {
    return this.#bus.historyOf(this.nsp.name);
  }

  protected override doAppend(target: ClusterTarget, payload: Uint8Array): Promise<void> {
    return this.history().append(target, payload);
  }

  protected doPublish(target: ClusterTarget, payload: Uint8Array): Promise<void> {
    return this.#bus.publish(this.nsp.name, target, payload, this.#handler);
  }

  protected doSubscribe(target: ClusterTarget): Promise<void> {
    return this.#bus.subscribe(this.nsp.name, target, this.#handler);
  }

  protected doUnsubscribe(target: ClusterTarget): Promise<void> {
    return this.#bus.unsubscribe(this.nsp.name, target, this.#handler);
  }
}

let processBus: IpcBus | undefined;

/**
 * The `adapter` option of a Server in a node:cluster worker: rooms, broadcasts, acks,
 * fetchSockets and serverSideEmit across every worker of the primary, with no broker. The
 * primary must relay: `setupPrimary()` does, or call `setupPrimaryRelay()` in your own primary.
 * @example
 * const io = new Server(httpServer, { adapter: createAdapter() });
 * await setupWorker(io);
 * @throws StickyError `SY_ERR_STICKY_WRONG_PROCESS` outside a node:cluster worker when no `bus`
 * is given (with `child_process.fork`, pass `bus: new IpcBus(processChannel())` and run an
 * `IpcRelay` in the parent).
 */
export function createAdapter(options: IpcAdapterOptions = {}): AdapterConstructor {
  const bus = options.bus ?? defaultBus(options);
  return (nsp: AdapterNamespace): AdapterContract => new IpcAdapter(nsp, bus, options);
}

function defaultBus(options: IpcBusOptions): IpcBus {
  if (processBus !== undefined) return processBus;
  const channel = cluster.isWorker ? processChannel() : undefined;
  if (channel === undefined) {
    throw new StickyError(
      StickyErrorCode.WRONG_PROCESS,
      "createAdapter() must run in a node:cluster worker (or be given a bus)",
    );
  }
  processBus = new IpcBus(channel, options);
  return processBus;
}
