// What a returning client missed: the pure part of a restore (cluster-recovery.ts runs the I/O).
// Inputs are what the client says it received (its offset, read against the node that delivered
// it), the log entries of its rooms read after a fence, and what the restoring node delivered
// meanwhile. docs/recovery.md explains why the result has no gap and no duplicate.
import type { BroadcastOptions } from "../adapter/adapter.js";
import type { HistoryEntry, LogPosition } from "../adapter/cluster-history.js";
import { EMITTER_UID } from "../adapter/cluster-message.js";
import type { WirePacket } from "../adapter/wire-packet.js";
import type { ClusterOffset, ItemPosition } from "./cluster-offset.js";
import { compareItems } from "./cluster-offset.js";

/** An event that travelled encoded (adapter/wire-packet.ts): its chunks, without offset. */
export interface EncodedEvent {
  readonly encoded: WirePacket;
}

/**
 * What a restore replays of one event: its data array (without offset), or its chunks when it
 * travelled encoded (written to the client with the offset spliced in, never decoded).
 */
export type EventPayload = unknown[] | EncodedEvent;

/** One recoverable broadcast as read from a log entry. */
export interface LoggedEvent {
  /** The publishing node (adapter uid, or the emitters' shared id). */
  uid: string;
  /** The publisher's own counter of the event (see cluster-offset.ts). */
  own: number;
  opts: BroadcastOptions;
  /** The event's data array or chunks, without offset. */
  data: EventPayload;
}

/** A log item that says events were lost (a publisher could not write them). */
export interface LoggedGap {
  gap: true;
  rooms: string[];
}

/** Reads the items of one log entry (undecodable items come back as undefined). */
export type EntryReader = (entry: HistoryEntry) => Array<LoggedEvent | LoggedGap | undefined>;

/** An event the restoring node delivered to others while the restore ran. */
export type BufferedEvent =
  | { kind: "remote"; position: ItemPosition; data: EventPayload }
  | { kind: "own"; own: number; data: EventPayload };

/** The restore's inputs. */
export interface ReplayInput {
  offset: ClusterOffset;
  /** The session's rooms (its own id included). */
  rooms: readonly string[];
  /**
   * Per room, the position from which the socket was a member (see session-record.ts), `null`
   * when unknown (that room's past is not replayed).
   */
  floors: ReadonlyMap<string, ItemPosition | null>;
  /** The position from which the socket was in the namespace. */
  since: ItemPosition;
  /** The node whose offsets the client holds. */
  node: string;
  /** Entries read at or after `offset.remote`, from the logs of the rooms and the namespace. */
  entries: HistoryEntry[];
  /** The fence's position: everything before it was read, everything after it is buffered. */
  fence: LogPosition;
  /** The restoring node's own counter when it sent the fence. */
  ownAtFence: number;
  /** What the restoring node delivered during the restore, in delivery order. */
  buffered: readonly BufferedEvent[];
  read: EntryReader;
}

/** The missed events in delivery order, or "gap" when the log says some were lost. */
export type ReplayResult = { ok: true; events: EventPayload[] } | { ok: false; reason: "gap" };

/** Computes what the client missed (see the file comment). Pure. */
export function replay(input: ReplayInput): ReplayResult {
  const { fence } = input;
  const events: EventPayload[] = [];
  /** Nodes' events already taken, counters by node: a retried publish may be logged twice. */
  const seen = new Map<string, Set<number>>();
  for (const entry of ordered(input.entries)) {
    // Entries at or after the fence came (or will come) live: the buffer has them.
    if (!isBefore(entry, fence)) continue;
    const items = input.read(entry);
    for (let index = 0; index < items.length; index++) {
      const item = items[index];
      if (isRepeat(item, seen)) continue;
      const verdict = judge(input, item, { major: entry.major, minor: entry.minor, index });
      if (verdict === "gap") return { ok: false, reason: "gap" };
      if (verdict !== undefined) events.push(verdict);
    }
  }
  for (const event of input.buffered) {
    const live =
      event.kind === "remote" ? !isBefore(event.position, fence) : event.own > input.ownAtFence;
    if (live) events.push(event.data);
  }
  return { ok: true, events };
}

/** The entries in position order, each position once (logs read twice never repeat one). */
function ordered(entries: readonly HistoryEntry[]): HistoryEntry[] {
  const sorted = [...entries].sort((a, b) => a.major - b.major || a.minor - b.minor);
  return sorted.filter(
    (entry, i) =>
      i === 0 || entry.major !== sorted[i - 1]?.major || entry.minor !== sorted[i - 1]?.minor,
  );
}

/** Whether a node's event was taken already (logged twice by a retried publish); notes it. */
function isRepeat(
  item: LoggedEvent | LoggedGap | undefined,
  seen: Map<string, Set<number>>,
): boolean {
  if (item === undefined || "gap" in item || item.uid === EMITTER_UID) return false;
  let counters = seen.get(item.uid);
  if (counters === undefined) {
    counters = new Set();
    seen.set(item.uid, counters);
  }
  if (counters.has(item.own)) return true;
  counters.add(item.own);
  return false;
}

/** What one logged item means for the client: its data when missed, "gap", or nothing. */
function judge(
  input: ReplayInput,
  item: LoggedEvent | LoggedGap | undefined,
  position: ItemPosition,
): EventPayload | "gap" | undefined {
  const { offset } = input;
  if (item === undefined || compareItems(position, offset.remote) <= 0) return undefined;
  if ("gap" in item) {
    return reachedAt(input, { rooms: new Set(item.rooms) }, position) ? "gap" : undefined;
  }
  // The client's own node delivered its own events in counter order: those up to `own` arrived.
  if (item.uid === input.node && item.own <= offset.own) return undefined;
  return reachedAt(input, item.opts, position) ? item.data : undefined;
}

/** Whether `position` comes before the fence. */
function isBefore(position: LogPosition, fence: LogPosition): boolean {
  return (
    position.major < fence.major || (position.major === fence.major && position.minor < fence.minor)
  );
}

/** Whether an event at `position` reached the socket: it was a member of a targeted room then. */
function reachedAt(input: ReplayInput, opts: BroadcastOptions, position: ItemPosition): boolean {
  const { rooms, floors } = input;
  const except = opts.except;
  if (except !== undefined && except.size > 0 && rooms.some((room) => except.has(room))) {
    return false;
  }
  if (opts.rooms.size === 0) return compareItems(position, input.since) > 0;
  for (const room of rooms) {
    if (!opts.rooms.has(room)) continue;
    const floor = floors.get(room);
    if (floor !== null && floor !== undefined && compareItems(position, floor) > 0) return true;
  }
  return false;
}

/** Whether a broadcast with `opts` reaches a socket in `rooms`. */
export function reaches(rooms: readonly string[], opts: BroadcastOptions): boolean {
  if (opts.rooms.size > 0 && !rooms.some((room) => opts.rooms.has(room))) return false;
  const except = opts.except;
  return except === undefined || except.size === 0 || !rooms.some((room) => except.has(room));
}
