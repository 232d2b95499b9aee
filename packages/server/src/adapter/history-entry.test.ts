import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeBatch } from "./cluster-batch.js";
import type { HistoryEntry } from "./cluster-history.js";
import { CLUSTER_PROTOCOL_VERSION, encodeClusterMessage, MessageType } from "./cluster-message.js";
import { HistoryEntryReader } from "./history-entry.js";

const UIDS = ["0123456789abcdef", "fedcba9876543210"];

/** A recoverable broadcast in the encoded form, as a publisher writes it into a history. */
function encodedBroadcast(
  uid: string,
  nsp: string,
  rooms: string[],
  except: string[],
  text: string,
  own: number,
): Uint8Array {
  return encodeClusterMessage({
    v: CLUSTER_PROTOCOL_VERSION,
    uid,
    nsp,
    type: MessageType.BROADCAST,
    data: { opts: { rooms, except, flags: {} }, e: [text], o: own },
  });
}

const textOf = (nsp: string, args: unknown[]): string =>
  `2${nsp === "/" ? "" : `${nsp},`}${JSON.stringify(["m", ...args])}`;

const entry = (payload: Uint8Array, minor: number): HistoryEntry => ({
  major: 1,
  minor,
  payload,
});

/** What a reader that never saw another entry makes of each entry: the general path alone. */
const alone = (entries: HistoryEntry[], nsp: string): unknown[] =>
  entries.map((e) => new HistoryEntryReader(nsp).read(e));

function sequential(entries: HistoryEntry[], nsp: string): { items: unknown[]; fast: number } {
  const reader = new HistoryEntryReader(nsp);
  const items = entries.map((e) => reader.read(e));
  return { items, fast: reader.fastReads };
}

describe("reading history entries back", () => {
  it("reads the usual entry by its tail once its header is known, to what a full decode gives", () => {
    const entries = [1, 2, 3, 4].map((own) =>
      entry(encodedBroadcast(UIDS[0] as string, "/", ["r"], [], textOf("/", [own]), own), own),
    );
    const { items, fast } = sequential(entries, "/");
    expect(fast).toBe(3);
    expect(items).toEqual(alone(entries, "/"));
    expect(items[3]).toEqual([
      {
        uid: UIDS[0],
        own: 4,
        opts: { rooms: new Set(["r"]), except: new Set(), flags: {} },
        data: { encoded: ['2["m",4]'] },
      },
    ]);
  });

  it("reads batches and their items by the known headers too", () => {
    const uid = UIDS[1] as string;
    const item = (own: number): Uint8Array =>
      encodedBroadcast(uid, "/", ["r"], ["x"], textOf("/", ["é", own]), own);
    const entries = [
      entry(encodeBatch(uid, "/", [item(1), item(2)]), 1),
      entry(encodeBatch(uid, "/", [item(3), item(4), item(5)]), 2),
      entry(item(6), 3),
    ];
    const { items, fast } = sequential(entries, "/");
    // The first item teaches the item header, the first batch the batch header.
    expect(fast).toBe(5);
    expect(items).toEqual(alone(entries, "/"));
  });

  it("gives the same items as a full decode over random histories (boundaries of every length field)", () => {
    const own = fc.oneof(
      fc.constantFrom(1, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1),
      fc.integer({ min: 1, max: 2 ** 40 }),
    );
    const text = fc.oneof(
      { arbitrary: fc.string({ maxLength: 40 }), weight: 10 },
      { arbitrary: fc.string({ unit: "grapheme", maxLength: 300 }), weight: 5 },
      // Past 65,535 bytes: a str 32 header.
      { arbitrary: fc.string({ maxLength: 8 }).map((s) => `${"é".repeat(33_000)}${s}`), weight: 1 },
    );
    const message = fc.record({
      uid: fc.constantFrom(...UIDS),
      nsp: fc.constantFrom("/", "/admin"),
      rooms: fc.constantFrom(["r"], ["r", "s"], []),
      except: fc.constantFrom([], ["x"]),
      args: fc.array(fc.oneof(text, fc.integer()), { maxLength: 3 }),
      own,
      kind: fc.constantFrom("encoded", "encoded", "encoded", "object", "gap", "binary", "raw"),
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(message, { minLength: 1, maxLength: 3 }), { maxLength: 25 }),
        (groups) => {
          const entries = groups.map((group, i) => {
            const first = group[0] as MessageShape;
            const sameSender = group.every((m) => m.uid === first.uid && m.nsp === first.nsp);
            const payload =
              group.length > 1 && sameSender
                ? encodeBatch(first.uid, first.nsp, group.map(payloadFor))
                : payloadFor(first);
            return entry(payload, i);
          });
          for (const nsp of ["/", "/admin"]) {
            expect(sequential(entries, nsp).items).toEqual(alone(entries, nsp));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never trusts a known header for bytes that differ after it: hostile tails read as a full decode would", () => {
    const uid = UIDS[0] as string;
    const good = encodedBroadcast(uid, "/", ["r"], [], textOf("/", [1]), 1);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(200), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.integer({ min: -6, max: 6 }),
        (flips, resize) => {
          const bytes = new Uint8Array(Math.max(1, good.byteLength + resize));
          bytes.set(good.subarray(0, Math.min(good.byteLength, bytes.byteLength)));
          for (const [at, value] of flips) bytes[at % bytes.byteLength] = value;
          const entries = [entry(good, 1), entry(bytes, 2)];
          const reader = new HistoryEntryReader("/");
          const items = entries.map((e) => reader.read(e));
          expect(items).toEqual(alone(entries, "/"));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("reads a text that is not UTF-8 as a full decode would (never by the fast path)", () => {
    const uid = UIDS[0] as string;
    const good = encodedBroadcast(uid, "/", ["r"], [], textOf("/", ["m"]), 1);
    const entries = [entry(good, 1)];
    for (const byte of [0x80, 0xc3, 0xff]) {
      const bad = encodedBroadcast(uid, "/", ["r"], [], textOf("/", ["m"]), 2);
      // The "m" of the text: the last bytes are `"m"]` then `a1 6f 02`.
      bad[bad.byteLength - 7] = byte;
      entries.push(entry(bad, entries.length + 1));
    }
    const { items, fast } = sequential(entries, "/");
    expect(fast).toBe(0);
    expect(items).toEqual(alone(entries, "/"));
  });

  it("drops an event whose text fails the receiver's check on the fast path as on the general one", () => {
    const uid = UIDS[0] as string;
    const entries = [
      entry(encodedBroadcast(uid, "/", ["r"], [], textOf("/", [1]), 1), 1),
      entry(encodedBroadcast(uid, "/", ["r"], [], '2["m",1\x1e4]', 2), 2),
      entry(encodedBroadcast(uid, "/", ["r"], [], '2/other,["m"]', 3), 3),
      entry(encodedBroadcast(uid, "/", ["r"], [], "2[1]", 4), 4),
    ];
    const { items, fast } = sequential(entries, "/");
    expect(fast).toBe(3);
    expect(items).toEqual([
      [expect.objectContaining({ own: 1 })],
      [undefined],
      [undefined],
      [undefined],
    ]);
  });
});

interface MessageShape {
  uid: string;
  nsp: string;
  rooms: readonly string[];
  except: readonly string[];
  args: unknown[];
  own: number;
  kind: string;
}

function payloadFor(m: MessageShape): Uint8Array {
  const base = { v: CLUSTER_PROTOCOL_VERSION, uid: m.uid, nsp: m.nsp };
  const rooms = [...m.rooms];
  const opts = { rooms, except: [...m.except], flags: {} };
  switch (m.kind) {
    case "gap":
      return encodeClusterMessage({
        ...base,
        type: MessageType.HISTORY_GAP,
        data: { rooms },
      });
    case "object":
      return encodeClusterMessage({
        ...base,
        type: MessageType.BROADCAST,
        data: { opts, packet: { type: 2, nsp: m.nsp, data: ["m", ...m.args] }, o: m.own },
      });
    case "binary": {
      const prefix = m.nsp === "/" ? "" : `${m.nsp},`;
      const text = `51-${prefix}${JSON.stringify(["m", { _placeholder: true, num: 0 }])}`;
      return encodeClusterMessage({
        ...base,
        type: MessageType.BROADCAST,
        data: { opts, e: [text, new Uint8Array([1, 2, 3])], o: m.own },
      });
    }
    case "raw":
      // Not the publisher's key order: never learnt, always read in full.
      return encodeClusterMessage({
        ...base,
        type: MessageType.BROADCAST,
        data: { e: [textOf(m.nsp, m.args)], o: m.own, opts },
      } as never);
    default:
      return encodedBroadcast(m.uid, m.nsp, rooms, [...m.except], textOf(m.nsp, m.args), m.own);
  }
}
