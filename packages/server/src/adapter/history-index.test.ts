import { encode } from "@msgpack/msgpack";
import { decodePacketString, Encoder, type Packet } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import type { LoggedEvent } from "../recovery/replay.js";
import { encodeBatch } from "./cluster-batch.js";
import type { HistoryEntry } from "./cluster-history.js";
import { CLUSTER_PROTOCOL_VERSION, encodeClusterMessage, MessageType } from "./cluster-message.js";
import { readHistoryEntry } from "./history-entry.js";
import {
  decodeHistoryIndex,
  encodeHistoryIndex,
  type IndexItem,
  withOffset,
} from "./history-index.js";

const uid = "0123456789abcdef";
const encoder = new Encoder();

/** What the server's encoder writes for an event in `nsp`, and the broadcast message around it. */
function event(nsp: string, own: number, rooms: string[], data: unknown[]) {
  const packet: Packet = { type: 2, nsp, data };
  const [text] = encoder.encode(packet);
  if (typeof text !== "string") throw new Error("expected a text packet");
  const message = encodeClusterMessage({
    v: CLUSTER_PROTOCOL_VERSION,
    uid,
    nsp,
    type: MessageType.BROADCAST,
    data: { opts: { rooms, except: ["x"], flags: {} }, packet, o: own },
  });
  const item: IndexItem = [uid, own, rooms, ["x"], text];
  return { message, item };
}

/** The data arrays `readHistoryEntry` gives back, texts decoded as a client would. */
function dataOf(items: ReturnType<typeof readHistoryEntry>): unknown[] {
  return items.map((item) => {
    if (item === undefined || "gap" in item) return item;
    // Replay reads rooms and exceptions only: flags are not in the index.
    const { text, opts, ...rest } = item as LoggedEvent;
    const where = { rooms: opts.rooms, except: opts.except };
    if (text === undefined) return { ...rest, opts: where };
    const decoded = decodePacketString(text);
    if (!decoded.ok) throw new Error(`bad text ${text}`);
    return { ...rest, opts: where, data: decoded.value.data };
  });
}

describe("the replay index", () => {
  it("reads back what was encoded; items without an entry are null", () => {
    const item: IndexItem = [uid, 7, ["a", "b"], [], '2["ev",1]'];
    const bytes = encodeHistoryIndex([item, undefined]);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(decodeHistoryIndex(bytes as Uint8Array)).toEqual([item, null]);
    expect(encodeHistoryIndex([undefined, undefined])).toBeUndefined();
  });

  it.each([
    ["not msgpack", new Uint8Array([0xc1])],
    ["not an array", encode({ a: 1 })],
    ["a short item", encode([[uid, 1, [], [], "2[]"].slice(0, 4)])],
    ["a counter of zero", encode([[uid, 0, [], [], '2["e"]']])],
    ["a fractional counter", encode([[uid, 1.5, [], [], '2["e"]']])],
    ["a room that is not a string", encode([[uid, 1, [1], [], '2["e"]']])],
    ["a text that is not an array", encode([[uid, 1, [], [], "2{}"]])],
    ["binary inside", encode([[uid, 1, [], [], new Uint8Array(4)]])],
  ])("rejects a hostile index as a whole: %s", (_name, bytes) => {
    expect(decodeHistoryIndex(bytes)).toBeUndefined();
  });

  it("appends an offset as the last argument", () => {
    expect(withOffset('2["ev",{"a":1}]', "0-1")).toBe('2["ev",{"a":1},"0-1"]');
    const decoded = decodePacketString(withOffset('2/chat,["ev"]', "ab_c"));
    expect(decoded.ok && decoded.value).toMatchObject({ nsp: "/chat", data: ["ev", "ab_c"] });
  });
});

describe("reading an entry with its index", () => {
  const position = { epoch: "e", major: 1, minor: 0 };

  it("gives the same events as decoding the messages, batch or not", () => {
    const first = event("/chat", 1, ["r"], ["ev", { deep: [1, "two"] }, "é\u2028"]);
    const second = event("/chat", 2, ["s", "t"], ["other"]);
    const batch = encodeBatch(uid, "/chat", [first.message, second.message]);
    const indexed: HistoryEntry = {
      ...position,
      payload: batch,
      index: encodeHistoryIndex([first.item, second.item]),
    };
    const plain: HistoryEntry = { ...position, payload: batch };
    const fromIndex = readHistoryEntry(indexed, "/chat");
    expect(fromIndex.every((item) => item !== undefined && "text" in item)).toBe(true);
    expect(dataOf(fromIndex)).toEqual(dataOf(readHistoryEntry(plain, "/chat")));
    const single = event("/", 3, ["r"], ["solo", 1]);
    expect(
      dataOf(
        readHistoryEntry(
          { ...position, payload: single.message, index: encodeHistoryIndex([single.item]) },
          "/",
        ),
      ),
    ).toEqual(dataOf(readHistoryEntry({ ...position, payload: single.message }, "/")));
  });

  it("decodes the items the index does not cover, or all of them when it is malformed", () => {
    const first = event("/", 1, ["r"], ["a"]);
    const second = event("/", 2, ["r"], ["b"]);
    const batch = encodeBatch(uid, "/", [first.message, second.message]);
    const partial = readHistoryEntry(
      { ...position, payload: batch, index: encodeHistoryIndex([first.item, undefined]) },
      "/",
    );
    expect(partial[0]).toHaveProperty("text", '2["a"]');
    expect(partial[1]).toHaveProperty("data", ["b"]);
    const broken = readHistoryEntry({ ...position, payload: batch, index: encode([1, 2]) }, "/");
    expect(broken.map((item) => (item as LoggedEvent).data)).toEqual([["a"], ["b"]]);
  });

  it("never takes an index text of another namespace", () => {
    const real = event("/", 1, ["r"], ["mine"]);
    const forged: IndexItem = [uid, 1, ["r"], [], '2/admin,["secret"]'];
    const items = readHistoryEntry(
      { ...position, payload: real.message, index: encodeHistoryIndex([forged]) },
      "/",
    );
    expect(items).toHaveLength(1);
    expect(items[0]).not.toHaveProperty("text");
    expect(items[0]).toHaveProperty("data", ["mine"]);
  });
});
