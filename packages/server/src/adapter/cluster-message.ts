// Inter-node messages of the cluster adapter: the discriminated union, msgpack encoding with a
// protocol version, and validation on receipt. Pure: no I/O. Peer bytes never throw past decode.
import { Decoder, Encoder } from "@msgpack/msgpack";
import type { Packet } from "@switchyard/protocol";
import type { BroadcastFlags, BroadcastOptions, Room, SocketDetails } from "./adapter.js";
import { msgpackExtensions } from "./msgpack-extensions.js";
import type { WirePacket } from "./wire-packet.js";

/** Message types, numbered as socket.io-adapter's `MessageType` (the numbers are on the wire). */
export const MessageType = {
  INITIAL_HEARTBEAT: 1,
  HEARTBEAT: 2,
  BROADCAST: 3,
  SOCKETS_JOIN: 4,
  SOCKETS_LEAVE: 5,
  DISCONNECT_SOCKETS: 6,
  FETCH_SOCKETS: 7,
  FETCH_SOCKETS_RESPONSE: 8,
  SERVER_SIDE_EMIT: 9,
  SERVER_SIDE_EMIT_RESPONSE: 10,
  BROADCAST_CLIENT_COUNT: 11,
  BROADCAST_ACK: 12,
  ADAPTER_CLOSE: 13,
  /**
   * switchyard's own (14 is BATCH): written to a room's history when a publisher could not write
   * some of its events there (broker outage), so that a restore spanning it fails honestly.
   */
  HISTORY_GAP: 15,
} as const;

/** One of the {@link MessageType} numbers. */
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** The version of this envelope; a message with another version is dropped. */
export const CLUSTER_PROTOCOL_VERSION = 1;

/**
 * Bits of an envelope's `f` field, which a node sets on its heartbeats (INITIAL_HEARTBEAT and
 * HEARTBEAT) to say what it understands beyond version 1. Nodes of earlier versions ignore the
 * field. `ENCODED_BROADCAST`: BROADCAST may carry the packet encoded (`e`, see wire-packet.ts).
 */
export const NodeFeature = {
  ENCODED_BROADCAST: 1,
} as const;

/** The node id used by processes that publish without being a server (emitters). */
export const EMITTER_UID = "emitter";

/** Broadcast options as they travel: Sets become arrays; `local` never travels. */
export interface WireBroadcastOptions {
  rooms: Room[];
  except: Room[];
  flags: BroadcastFlags;
}

interface Envelope<T extends number, D> {
  /** Protocol version ({@link CLUSTER_PROTOCOL_VERSION}). */
  v: number;
  /** The sending node (one adapter instance). */
  uid: string;
  nsp: string;
  type: T;
  data: D;
  /** Features of the sender ({@link NodeFeature} bits), on heartbeats. */
  f?: number;
}

/**
 * A BROADCAST's data: the packet as an object (`packet`: every version, emitters, acks, custom
 * parsers), or encoded once by its publisher (`e`: only to peers that announced
 * {@link NodeFeature.ENCODED_BROADCAST}).
 */
export type BroadcastData = {
  opts: WireBroadcastOptions;
  requestId?: string;
  /** Set on recoverable broadcasts: the publisher's own counter (recovery/cluster-offset.ts). */
  o?: number | undefined;
} & ({ packet: Packet; e?: undefined } | { e: WirePacket; packet?: undefined });

/** Every inter-node message, discriminated by `type`. */
export type ClusterMessage =
  | Envelope<typeof MessageType.INITIAL_HEARTBEAT, undefined>
  | Envelope<typeof MessageType.HEARTBEAT, undefined>
  | Envelope<typeof MessageType.ADAPTER_CLOSE, undefined>
  | Envelope<typeof MessageType.BROADCAST, BroadcastData>
  | Envelope<typeof MessageType.HISTORY_GAP, { rooms: Room[] }>
  | Envelope<typeof MessageType.SOCKETS_JOIN, { opts: WireBroadcastOptions; rooms: Room[] }>
  | Envelope<typeof MessageType.SOCKETS_LEAVE, { opts: WireBroadcastOptions; rooms: Room[] }>
  | Envelope<typeof MessageType.DISCONNECT_SOCKETS, { opts: WireBroadcastOptions; close: boolean }>
  | Envelope<typeof MessageType.FETCH_SOCKETS, { opts: WireBroadcastOptions; requestId: string }>
  | Envelope<
      typeof MessageType.FETCH_SOCKETS_RESPONSE,
      { requestId: string; sockets: SocketDetails[] }
    >
  | Envelope<typeof MessageType.SERVER_SIDE_EMIT, { packet: unknown[]; requestId?: string }>
  | Envelope<typeof MessageType.SERVER_SIDE_EMIT_RESPONSE, { requestId: string; packet: unknown }>
  | Envelope<typeof MessageType.BROADCAST_CLIENT_COUNT, { requestId: string; clientCount: number }>
  | Envelope<typeof MessageType.BROADCAST_ACK, { requestId: string; packet: unknown }>;

/**
 * Why a received message was dropped: `batch-limit` and `nested-batch` concern batches
 * (cluster-batch.ts), `bad-packet` an encoded broadcast packet that fails its check
 * (wire-packet.ts).
 */
export type DropReason =
  | "undecodable"
  | "not-an-envelope"
  | "version"
  | "unknown-type"
  | "bad-data"
  | "batch-limit"
  | "nested-batch"
  | "bad-packet";

/** The result of decoding peer bytes: never throws. */
export type DecodeResult =
  | { ok: true; message: ClusterMessage }
  | { ok: false; reason: DropReason };

/** Converts in-memory broadcast options to their wire form (the `local` flag is stripped). */
export function toWireOptions(opts: BroadcastOptions): WireBroadcastOptions {
  const { local: _local, ...flags } = opts.flags ?? {};
  return { rooms: [...opts.rooms], except: [...(opts.except ?? [])], flags };
}

/** Converts wire options back to in-memory broadcast options. */
export function fromWireOptions(opts: WireBroadcastOptions): BroadcastOptions {
  return { rooms: new Set(opts.rooms), except: new Set(opts.except), flags: opts.flags };
}

/**
 * One shared encoder: `encode()` would allocate a fresh 2 KiB buffer per call. It
 * returns a copy, and a re-entrant call (from a getter, say) gets a clone, so sharing is safe.
 */
let encoder = newEncoder();
function newEncoder(): Encoder {
  return new Encoder({ ignoreUndefined: true, extensionCodec: msgpackExtensions });
}
/** Past this size the encoder's grown buffer is dropped rather than kept for good. */
const RETAINED_ENCODER_BYTES = 64 * 1024;

/** Encodes one message. Throws only on values msgpack cannot represent (caller's data). */
export function encodeClusterMessage(message: ClusterMessage): Uint8Array {
  return encodeEnvelope(message);
}

/**
 * An envelope whose version, node id, namespace and type number are checked, its data not yet.
 * @package
 */
export interface RawEnvelope {
  v: number;
  uid: string;
  nsp: string;
  type: number;
  data: unknown;
}

/**
 * Encodes any envelope, batches included (cluster-batch.ts).
 * @package
 */
export function encodeEnvelope(envelope: RawEnvelope): Uint8Array {
  const bytes = encoder.encode(envelope);
  if (bytes.byteLength > RETAINED_ENCODER_BYTES) encoder = newEncoder();
  return bytes;
}

/**
 * What follows the map header in every message `uid` encodes: the `v` and `uid` entries, the
 * envelope's first two keys (ClusterBusAdapter.encode writes `v`, `uid`, `nsp`, then the rest).
 * With {@link hasSenderPrefix} a node spots its own messages echoed by the bus without decoding.
 */
export function senderPrefix(uid: string): Uint8Array {
  return encoder.encode({ v: CLUSTER_PROTOCOL_VERSION, uid }).subarray(1);
}

/** Whether `bytes` starts as a message encoded with `prefix`: a fixmap, then those bytes. */
export function hasSenderPrefix(bytes: Uint8Array, prefix: Uint8Array): boolean {
  const n = prefix.length;
  if (bytes.length <= n || ((bytes[0] ?? 0) & FIXMAP_MASK) !== FIXMAP) return false;
  for (let i = 0; i < n; i++) if (bytes[i + 1] !== prefix[i]) return false;
  return true;
}

const FIXMAP = 0x80;
const FIXMAP_MASK = 0xf0;

/**
 * Shared decoders, one per power-of-two size class (`decode()` would build one per call). A
 * decoder's limits are its class size, the smallest power of two ≥ the input length: no string
 * or container header can claim more than twice the input, so a hostile header cannot make us
 * allocate more than that. Re-entrant use is safe: a busy Decoder decodes with a clone.
 */
const decoders: Array<Decoder | undefined> = [];
/** The smallest class: 2^6 = 64 bytes (heartbeats are ~40). */
const MIN_DECODER_CLASS = 6;
/** Above 2^16 bytes a decoder is not kept (it would hold on to the last input it read). */
const MAX_SHARED_DECODER_CLASS = 16;

function decoderFor(byteLength: number): Decoder {
  const sizeClass = Math.max(MIN_DECODER_CLASS, 32 - Math.clz32(Math.max(0, byteLength - 1)));
  const shared = decoders[sizeClass];
  if (shared !== undefined) return shared;
  const max = 2 ** sizeClass;
  const decoder = new Decoder({
    maxStrLength: max,
    maxBinLength: max,
    maxArrayLength: max,
    maxMapLength: max,
    maxExtLength: max,
    extensionCodec: msgpackExtensions,
  });
  if (sizeClass <= MAX_SHARED_DECODER_CLASS) decoders[sizeClass] = decoder;
  return decoder;
}

/** Decodes and validates peer bytes holding one message. A malformed one yields `{ ok: false }`. */
export function decodeClusterMessage(bytes: Uint8Array): DecodeResult {
  const result = decodeEnvelope(bytes);
  return result.ok ? checkMessage(result.envelope) : result;
}

/**
 * The first half of {@link decodeClusterMessage}: msgpack, envelope fields and version.
 * @package
 */
export function decodeEnvelope(
  bytes: Uint8Array,
): { ok: true; envelope: RawEnvelope } | { ok: false; reason: DropReason } {
  let raw: unknown;
  try {
    raw = decoderFor(bytes.byteLength).decode(bytes);
  } catch {
    return { ok: false, reason: "undecodable" };
  }
  if (!isRecord(raw)) return { ok: false, reason: "not-an-envelope" };
  const { v, uid, nsp, type } = raw;
  if (typeof uid !== "string" || typeof nsp !== "string" || typeof type !== "number") {
    return { ok: false, reason: "not-an-envelope" };
  }
  if (v !== CLUSTER_PROTOCOL_VERSION) return { ok: false, reason: "version" };
  return { ok: true, envelope: raw as RawEnvelope };
}

/**
 * The second half of {@link decodeClusterMessage}: the type's data shape.
 * @package
 */
export function checkMessage(envelope: RawEnvelope): DecodeResult {
  const check = DATA_CHECKS.get(envelope.type);
  if (check === undefined) return { ok: false, reason: "unknown-type" };
  if (!check(envelope.data)) return { ok: false, reason: "bad-data" };
  return { ok: true, message: envelope as unknown as ClusterMessage };
}

type Check = (data: unknown) => boolean;

/** The fields validation reads (named, so that dot access type-checks). */
type Fields = Partial<
  Record<
    | "v"
    | "uid"
    | "nsp"
    | "type"
    | "data"
    | "opts"
    | "rooms"
    | "except"
    | "flags"
    | "local"
    | "packet"
    | "requestId"
    | "close"
    | "sockets"
    | "clientCount"
    | "id"
    | "handshake"
    | "o"
    | "e",
    unknown
  >
>;

function isRecord(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === "string";
}

const FLAG_TYPES: Readonly<Record<string, string>> = {
  volatile: "boolean",
  compress: "boolean",
  local: "boolean",
  broadcast: "boolean",
  binary: "boolean",
  timeout: "number",
};

function isWireOptions(value: unknown): value is WireBroadcastOptions {
  if (!isRecord(value) || !isStringArray(value.rooms) || !isStringArray(value.except)) {
    return false;
  }
  const flags = value.flags;
  if (!isRecord(flags)) return false;
  for (const key in flags) {
    if (!Object.hasOwn(flags, key)) continue;
    const expected = FLAG_TYPES[key];
    if (expected === undefined || typeof (flags as Record<string, unknown>)[key] !== expected) {
      return false;
    }
  }
  // `local` never travels: a peer that sends it is not following the protocol.
  return flags.local === undefined;
}

/** Only event packets are broadcast: type 2 (EVENT) or 5 (BINARY_EVENT), data = [name, ...]. */
function isEventPacket(value: unknown): boolean {
  if (!isRecord(value)) return false;
  if (value.type !== 2 && value.type !== 5) return false;
  if (typeof value.nsp !== "string") return false;
  return Array.isArray(value.data) && typeof value.data[0] === "string";
}

function isSocketDetails(value: unknown): boolean {
  return (
    isRecord(value) &&
    typeof value.id === "string" &&
    isRecord(value.handshake) &&
    isStringArray(value.rooms)
  );
}

const noData: Check = (data) => data === undefined || data === null;
const withRequestId = (data: unknown): data is Fields =>
  isRecord(data) && typeof data.requestId === "string";

const DATA_CHECKS: ReadonlyMap<number, Check> = new Map<number, Check>([
  [MessageType.INITIAL_HEARTBEAT, noData],
  [MessageType.HEARTBEAT, noData],
  [MessageType.ADAPTER_CLOSE, noData],
  [
    MessageType.BROADCAST,
    (d) =>
      isRecord(d) &&
      isWireOptions(d.opts) &&
      // One form or the other (the encoded one is checked by the receiving adapter, which
      // knows its limits: wire-packet.ts); acks travel as objects.
      (d.e === undefined
        ? isEventPacket(d.packet)
        : d.packet === undefined && Array.isArray(d.e) && d.requestId === undefined) &&
      isOptionalString(d.requestId) &&
      (d.o === undefined || (Number.isSafeInteger(d.o) && (d.o as number) > 0)),
  ],
  [MessageType.HISTORY_GAP, (d) => isRecord(d) && isStringArray(d.rooms)],
  [MessageType.SOCKETS_JOIN, (d) => isRecord(d) && isWireOptions(d.opts) && isStringArray(d.rooms)],
  [
    MessageType.SOCKETS_LEAVE,
    (d) => isRecord(d) && isWireOptions(d.opts) && isStringArray(d.rooms),
  ],
  [
    MessageType.DISCONNECT_SOCKETS,
    (d) => isRecord(d) && isWireOptions(d.opts) && typeof d.close === "boolean",
  ],
  [MessageType.FETCH_SOCKETS, (d) => withRequestId(d) && isWireOptions(d.opts)],
  [
    MessageType.FETCH_SOCKETS_RESPONSE,
    (d) => withRequestId(d) && Array.isArray(d.sockets) && d.sockets.every(isSocketDetails),
  ],
  [
    MessageType.SERVER_SIDE_EMIT,
    (d) =>
      isRecord(d) &&
      Array.isArray(d.packet) &&
      typeof d.packet[0] === "string" &&
      isOptionalString(d.requestId),
  ],
  [MessageType.SERVER_SIDE_EMIT_RESPONSE, (d) => withRequestId(d)],
  [
    MessageType.BROADCAST_CLIENT_COUNT,
    (d) =>
      withRequestId(d) &&
      typeof d.clientCount === "number" &&
      Number.isInteger(d.clientCount) &&
      d.clientCount >= 0,
  ],
  [MessageType.BROADCAST_ACK, (d) => withRequestId(d)],
]);
