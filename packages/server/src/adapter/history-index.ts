// The replay index stored beside a history entry (recovery): per item of the entry (a message, or
// each message of a batch), what a restore needs — the publisher, its counter, the rooms and
// exceptions, and the event already encoded by the server's encoder (text packets: one string,
// without offset). A restore then reads the few fields of each item instead of decoding every
// message and encoding it again: msgpack-decoding the events was most of a restore's CPU
// (measured, docs/performance.md). Items without an index entry (binary events, other parsers)
// are decoded from the entry as before. The bytes come back from the broker: checked, never thrown.
import { decode, encode } from "@msgpack/msgpack";

/** One item: `[uid, own counter, rooms, except, encoded text]`. */
export type IndexItem = [string, number, string[], string[], string];

/** Encodes the index of an entry's items (undefined when none has one: nothing to store). */
export function encodeHistoryIndex(
  items: ReadonlyArray<IndexItem | undefined>,
): Uint8Array | undefined {
  if (items.every((item) => item === undefined)) return undefined;
  return encode(items.map((item) => item ?? null));
}

/** Reads an index back: one entry per item (null: not indexed), or undefined when malformed. */
export function decodeHistoryIndex(bytes: Uint8Array): Array<IndexItem | null> | undefined {
  let raw: unknown;
  try {
    raw = decode(bytes, { maxStrLength: bytes.byteLength, maxBinLength: 0, maxExtLength: 0 });
  } catch {
    return undefined;
  }
  if (!Array.isArray(raw)) return undefined;
  const items: Array<IndexItem | null> = [];
  for (const item of raw as unknown[]) {
    if (item === null) items.push(null);
    else if (isItem(item)) items.push(item);
    else return undefined;
  }
  return items;
}

function isItem(value: unknown): value is IndexItem {
  if (!Array.isArray(value) || value.length !== 5) return false;
  const [uid, own, rooms, except, text] = value as unknown[];
  return (
    typeof uid === "string" &&
    typeof own === "number" &&
    Number.isSafeInteger(own) &&
    own > 0 &&
    isStrings(rooms) &&
    isStrings(except) &&
    typeof text === "string" &&
    text.endsWith("]")
  );
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/**
 * The encoded text with `offset` appended to its data array: `2["ev",1]` → `2["ev",1,"<offset>"]`
 * (offsets are base-36 and base64url characters: nothing to escape).
 */
export function withOffset(text: string, offset: string): string {
  return `${text.slice(0, -1)},"${offset}"]`;
}
