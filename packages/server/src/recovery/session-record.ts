// The session record kept in the shared store for recovery across nodes: what a socket's session
// is (ids, rooms, data) and where its offsets come from (the node that delivered its events).
// msgpack, so that binary data survives; decoding never throws (the store is shared, its bytes
// are peer input).
import { decode, encode } from "@msgpack/msgpack";
import { msgpackExtensions } from "../adapter/msgpack-extensions.js";

/** A position as stored: `[major, minor, index]`. */
export type StoredPosition = [number, number, number];

/** A session as stored. */
export interface SessionRecord {
  sid: string;
  pid: string;
  rooms: string[];
  /**
   * Per room (same order as `rooms`), the log position from which the socket was a member: events
   * of the room at or before it came before the join and are never replayed. `null` while the
   * node's subscription to a room it just joined is not yet confirmed: that room's past is not
   * replayed at all.
   */
  floors: Array<StoredPosition | null>;
  /** The log position from which the socket was in the namespace (connect). */
  since: StoredPosition;
  data: unknown;
  /** The node (adapter uid) that delivered the client's events: its offsets are read against it. */
  node: string;
  /**
   * Whether the socket was still connected at the last write: its node saves it as it changes and
   * may have died since (then the node's last sign of life is the disconnection time).
   */
  live: boolean;
  /** When the record was written (epoch ms): the disconnection time when not `live`. */
  at: number;
  /**
   * Set when the socket was restored here with nothing missed: the client then still holds the
   * offset it came back with (`[0]`, of another node's counters) until an event of this node
   * reaches it, and that offset stands for this node's stamp `[1]` of the restore.
   */
  alias?: [string, string] | undefined;
}

const VERSION = 1;

/** Encodes a record; throws only on data msgpack cannot hold (functions, cycles). */
export function encodeSessionRecord(record: SessionRecord): Uint8Array {
  return encode(
    {
      v: VERSION,
      sid: record.sid,
      pid: record.pid,
      rooms: record.rooms,
      floors: record.floors,
      since: record.since,
      data: record.data,
      node: record.node,
      live: record.live,
      at: record.at,
      alias: record.alias,
    },
    { ignoreUndefined: true, extensionCodec: msgpackExtensions },
  );
}

/** Decodes a record read from the store; undefined when the bytes are not a valid record. */
export function decodeSessionRecord(bytes: Uint8Array): SessionRecord | undefined {
  let raw: unknown;
  try {
    const max = bytes.byteLength;
    raw = decode(bytes, {
      maxStrLength: max,
      maxBinLength: max,
      maxExtLength: max,
      extensionCodec: msgpackExtensions,
    });
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const { v, sid, pid, rooms, floors, since, data, node, live, at, alias } = raw as Record<
    string,
    unknown
  >;
  if (v !== VERSION || typeof sid !== "string" || typeof pid !== "string") return undefined;
  if (!Array.isArray(rooms) || !rooms.every((room) => typeof room === "string")) return undefined;
  if (!Array.isArray(floors) || floors.length !== rooms.length) return undefined;
  if (!floors.every((floor) => floor === null || isPosition(floor))) return undefined;
  if (!isPosition(since)) return undefined;
  if (typeof node !== "string" || typeof live !== "boolean") return undefined;
  if (typeof at !== "number" || !Number.isFinite(at)) return undefined;
  const record: SessionRecord = {
    sid,
    pid,
    rooms: rooms as string[],
    floors: floors as Array<StoredPosition | null>,
    since,
    data,
    node,
    live,
    at,
  };
  // Written by a later version only; anything else in its place is ignored, as by earlier ones.
  if (Array.isArray(alias) && alias.length === 2 && alias.every((s) => typeof s === "string")) {
    record.alias = alias as [string, string];
  }
  return record;
}

function isPosition(value: unknown): value is StoredPosition {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    value.every((n) => typeof n === "number" && Number.isSafeInteger(n) && n >= 0)
  );
}
