// Recovery offsets across nodes: the opaque string appended to every recoverable event a node
// delivers. It names what the receiving node had delivered when it wrote the event, as two
// frontiers (docs/recovery.md, "Offsets"):
// - `remote`: the position of the last recoverable event from OTHER publishers that this node
//   delivered. Ordered messages reach a node in log order, so every other publisher's event at or
//   before it was delivered, none after it;
// - `own`: how many recoverable events this node had published itself (its own counter). A node
//   delivers its own events locally in that order, before the broker gives them a position.
// Format: `<epoch>.<major>.<minor>.<index>.<own>`, numbers in base 36. Peer input: parse strictly.
import type { LogPosition } from "../adapter/cluster-history.js";

/** A position inside a log entry: the entry's position and the item's index in its batch. */
export interface ItemPosition extends LogPosition {
  index: number;
}

/** What a cluster offset says. */
export interface ClusterOffset {
  epoch: string;
  /** The last event of other publishers delivered by the node (`0.0.0` before any). */
  remote: ItemPosition;
  /** The number of the node's own recoverable events delivered (its last one's counter). */
  own: number;
}

/** The position before every entry. */
export const START: ItemPosition = Object.freeze({ major: 0, minor: 0, index: 0 });

const EPOCH = /^[0-9A-Za-z_-]{1,32}$/;
const NUMBER = /^[0-9a-z]{1,11}$/;

/** Writes an offset. */
export function formatOffset(offset: ClusterOffset): string {
  const { epoch, remote, own } = offset;
  return `${epoch}.${remote.major.toString(36)}.${remote.minor.toString(36)}.${remote.index.toString(36)}.${own.toString(36)}`;
}

/** Reads an offset sent back by a client; undefined for anything that is not one of ours. */
export function parseOffset(text: string): ClusterOffset | undefined {
  if (text.length > 96) return undefined;
  const parts = text.split(".");
  if (parts.length !== 5) return undefined;
  const [epoch, major, minor, index, own] = parts as [string, string, string, string, string];
  if (!EPOCH.test(epoch)) return undefined;
  const numbers = [major, minor, index, own].map(readNumber);
  if (numbers.some((n) => n === undefined)) return undefined;
  const [a, b, i, o] = numbers as [number, number, number, number];
  return { epoch, remote: { major: a, minor: b, index: i }, own: o };
}

function readNumber(text: string): number | undefined {
  if (!NUMBER.test(text)) return undefined;
  const value = Number.parseInt(text, 36);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Compares two item positions: negative, zero or positive. */
export function compareItems(a: ItemPosition, b: ItemPosition): number {
  return a.major - b.major || a.minor - b.minor || a.index - b.index;
}
