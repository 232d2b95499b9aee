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
  /**
   * The recovery history in JetStream, used when the Server has `connectionStateRecovery`
   * (docs/deployment-nats.md, "Connection state recovery"). Nothing is created without it.
   */
  history?: NatsHistoryOptions;
}

/**
 * The JetStream stream (`SY_{prefix}_history`) and KV bucket (`SY_{prefix}_sessions`) that the
 * first node creates. An existing stream keeps its storage and replicas; the other settings are
 * brought to these values at every start. Every node of an application must use the same ones.
 */
export interface NatsHistoryOptions {
  /**
   * Where JetStream keeps the history: `"file"` survives a nats-server restart, `"memory"` does
   * not (a restart is then a new epoch: every client gets a new session).
   * @default "file"
   */
  storage?: "file" | "memory";
  /** Copies of the stream and the bucket in a JetStream cluster (1, 3 or 5). @default 1 */
  replicas?: number;
  /**
   * Most bytes the history keeps (oldest entries go first; a client that missed an entry that
   * is gone gets a new session). Unlimited by default: `maxDisconnectionDuration` bounds it.
   */
  maxBytes?: number;
  /** Most entries the history keeps (oldest go first), unlimited by default. */
  maxMsgs?: number;
  /**
   * How the stored messages reach the nodes, in sequence order: `"republish"` (the stream's
   * RePublish onto the subjects the nodes subscribe to: only nodes with members in a room get its
   * events; needs nats-server 2.10 or later, earlier ones republish out of order), or
   * `"consumer"` (one ordered consumer per node over every history subject of the prefix: any
   * version, but every node receives every recoverable broadcast). Default: `"republish"` when
   * the stream is made on a 2.10+ server, else `"consumer"`; an existing stream keeps the way it
   * was made with (delete it to change).
   */
  delivery?: "republish" | "consumer";
}

/** Default subject prefix. */
export const DEFAULT_PREFIX = "socket.io";
