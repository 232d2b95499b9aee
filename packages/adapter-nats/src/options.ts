// Options of the NATS adapter and emitter, with their defaults.
import type { ClusterAdapterOptions } from "@switchyard/server";

/** Options shared by the adapter and the emitter: where the subjects live. */
export interface NatsSubjectOptions {
  /**
   * First token(s) of every subject (dot-separated tokens of `[A-Za-z0-9_-]`). Adapters and
   * emitters of one application must use the same one; distinct apps on one NATS use distinct
   * prefixes (or accounts).
   * @default "socket.io"
   */
  prefix?: string;
  /**
   * Route operations that target rooms through one subject per room (adapters: 1–8 rooms,
   * emitters: exactly one), so that only the nodes with members receive them. Adapters and
   * emitters must agree.
   * @default true
   */
  roomChannels?: boolean;
}

/** Options of `createAdapter`: subject options, the cluster options, and shutdown behaviour. */
export interface NatsAdapterOptions extends NatsSubjectOptions, ClusterAdapterOptions {
  /**
   * When the last adapter created by this `createAdapter` call closes (on `io.close()`), drain
   * the NATS connection (flush, then close it). Set false when the connection is shared with
   * other code that outlives the Socket.IO server.
   * @default true
   */
  drainOnClose?: boolean;
}

/** Default subject prefix. */
export const DEFAULT_PREFIX = "socket.io";
