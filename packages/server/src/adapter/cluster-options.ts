// Options and reports of the cluster adapter base (cluster-adapter.ts).
import { InvalidArgumentError } from "../engine/errors.js";
import { BATCH_DEFAULTS, type BatchLimits } from "./cluster-batch.js";
import type { HeartbeatOptions } from "./cluster-membership.js";
import { WIRE_PACKET_DEFAULTS, type WirePacketLimits } from "./wire-packet.js";

/** Options of every cluster adapter. */
export interface ClusterAdapterOptions extends HeartbeatOptions {
  /**
   * How long fetchSockets (without `timeout()`) and serverSideEmit with ack wait, in ms.
   * @default 5000
   */
  requestsTimeout?: number;
  /**
   * Route broadcasts to 1–8 rooms through per-room channels so that only nodes with members in
   * the rooms receive them. When false, every message goes to every node.
   * @default true
   */
  roomChannels?: boolean;
  /**
   * Most messages in one batch: the messages a node publishes to one channel within one tick
   * travel as one bus message. Also the most a received batch may hold (larger ones are
   * dropped), so give every node the same value. 1 turns batching off (for a rolling upgrade
   * from a version without batches, which drops them as an unknown type).
   * @default 64
   */
  maxBatchMessages?: number;
  /**
   * Most bytes of one batch (a message larger than that still goes out, alone). Also the most a
   * received batch may hold. The NATS adapter lowers it to the server's `max_payload`.
   * @default 262144 (256 KiB)
   */
  maxBatchBytes?: number;
  /**
   * Publish broadcasts in their encoded form (the Socket.IO text and attachments, encoded once
   * by the publisher; receivers write them to their sockets as they are) once every peer said it
   * understands it. Only with the default parser; acks and emitters use the object form.
   * false: this node sends and announces only the object form (it still accepts both).
   * @default true
   */
  encodedBroadcasts?: boolean;
  /**
   * Longest text of an encoded broadcast, in UTF-16 code units: a longer one is published as
   * an object, and a received one is dropped (`bad-packet`). Give every node the same value.
   * @default 1000000
   */
  maxEncodedPacketLength?: number;
  /**
   * Most binary attachments of an encoded broadcast (as above).
   * @default 256
   */
  maxEncodedPacketAttachments?: number;
}

/** What `partial-result` reports: a request completed without some nodes' answers. */
export interface PartialResult {
  operation: "fetchSockets" | "serverSideEmit";
  requestId: string;
  /** Ids of the nodes that did not answer in time. */
  late: string[];
  received: number;
}

/**
 * The batch limits of `options`, defaults filled in.
 * @throws InvalidArgumentError (`SY_ERR_SERVER_INVALID_ARGUMENT`) unless both are integers ≥ 1.
 */
export function batchLimitsOf(options: ClusterAdapterOptions): BatchLimits {
  const { maxMessages, maxBytes } = BATCH_DEFAULTS;
  return {
    maxMessages: positiveInteger("maxBatchMessages", options.maxBatchMessages ?? maxMessages),
    maxBytes: positiveInteger("maxBatchBytes", options.maxBatchBytes ?? maxBytes),
  };
}

/**
 * The encoded-broadcast limits of `options`, defaults filled in.
 * @throws InvalidArgumentError (`SY_ERR_SERVER_INVALID_ARGUMENT`) unless both are integers ≥ 1.
 */
export function wirePacketLimitsOf(options: ClusterAdapterOptions): WirePacketLimits {
  const { maxLength, maxAttachments } = WIRE_PACKET_DEFAULTS;
  return {
    maxLength: positiveInteger(
      "maxEncodedPacketLength",
      options.maxEncodedPacketLength ?? maxLength,
    ),
    maxAttachments: positiveInteger(
      "maxEncodedPacketAttachments",
      options.maxEncodedPacketAttachments ?? maxAttachments,
    ),
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`option ${name} must be an integer ≥ 1`);
  }
  return value;
}
