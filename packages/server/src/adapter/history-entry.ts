// Reading log entries back (recovery): the recoverable events and gap markers of one message or
// batch of a namespace, as replay.ts judges them. The bytes come from the broker: peer input,
// never thrown on; what is not a recoverable event or a gap comes back as undefined. A reader
// serves one restore: it keeps the headers of the entries it decoded (entry-headers.ts), so the
// usual entry — a node's encoded broadcast with options seen before — is read by its tail alone.
import type { LoggedEvent, LoggedGap } from "../recovery/replay.js";
import { BATCH_TYPE, decodeBatchItem, readBatch } from "./cluster-batch.js";
import type { HistoryEntry } from "./cluster-history.js";
import {
  checkMessage,
  type DecodeResult,
  decodeEnvelope,
  fromWireOptions,
  MessageType,
} from "./cluster-message.js";
import { type EntryHeader, EntryHeaders, type EntryTail } from "./entry-headers.js";
import { checkWirePacket, type WirePacketLimits } from "./wire-packet.js";

const UNBOUNDED: WirePacketLimits = {
  maxLength: Number.MAX_SAFE_INTEGER,
  maxAttachments: Number.MAX_SAFE_INTEGER,
};

type LoggedItem = LoggedEvent | LoggedGap | undefined;

/** Reads the entries of one restore, in namespace `nsp` (entries of others are ignored). */
export class HistoryEntryReader {
  readonly #nsp: string;
  readonly #headers = new EntryHeaders();
  /** Messages read by their tail after a known header (batch items included), for tests. */
  fastReads = 0;

  constructor(nsp: string) {
    this.#nsp = nsp;
  }

  /** The items of `entry` written in this reader's namespace. */
  read(entry: HistoryEntry): LoggedItem[] {
    const payload = entry.payload;
    const known = this.#match(payload);
    if (known !== null) {
      return known.header.nsp === this.#nsp ? [this.#fromTail(known.header, known.tail)] : [];
    }
    const knownBatch = this.#headers.matchBatch(payload);
    if (knownBatch !== undefined) {
      const { header, items } = knownBatch;
      if (header.nsp !== this.#nsp) return [];
      return items.map((item) => this.#batchItem(item, header));
    }
    const decoded = decodeEnvelope(payload);
    if (!decoded.ok || decoded.envelope.nsp !== this.#nsp) return [];
    const envelope = decoded.envelope;
    if (envelope.type !== BATCH_TYPE) return [this.#learnt(payload, checkMessage(envelope))];
    // Written by the publisher within its own limits: the reader's own do not apply.
    const batch = readBatch(envelope, payload.byteLength, {
      maxMessages: Number.MAX_SAFE_INTEGER,
      maxBytes: Number.MAX_SAFE_INTEGER,
    });
    if (!batch.ok) return [];
    const items = batch.items;
    if (lastKeyIsData(envelope) && items.every((item) => item instanceof Uint8Array)) {
      this.#headers.learnBatch(payload, { uid: envelope.uid, nsp: envelope.nsp, items });
    }
    return items.map((item) => this.#batchItem(item, envelope));
  }

  /** The known header `bytes` start with, and their tail (counted in fastReads), or null. */
  #match(bytes: Uint8Array): { header: EntryHeader; tail: EntryTail } | null {
    const known = this.#headers.match(bytes);
    if (known !== null) this.fastReads++;
    return known;
  }

  /** The event of bytes read by their tail after a known header. */
  #fromTail(header: EntryHeader, tail: EntryTail): LoggedItem {
    return eventOf(header.uid, tail.own, header.opts, [tail.text], this.#nsp);
  }

  #batchItem(item: unknown, batch: { uid: string; nsp: string }): LoggedItem {
    const known = item instanceof Uint8Array ? this.#match(item) : null;
    if (known !== null) {
      const { header, tail } = known;
      // As decodeBatchItem: an item of another sender or namespace spoils only itself.
      if (header.uid !== batch.uid || header.nsp !== batch.nsp) return undefined;
      return this.#fromTail(header, tail);
    }
    if (!(item instanceof Uint8Array)) return undefined;
    return this.#learnt(item, decodeBatchItem(item, batch));
  }

  /**
   * The item of a message the general path decoded and checked; an encoded broadcast's header
   * is kept for the entries after it.
   */
  #learnt(bytes: Uint8Array, result: DecodeResult): LoggedItem {
    const item = loggedItem(result, this.#nsp);
    if (!result.ok || item === undefined || "gap" in item || Array.isArray(item.data)) return item;
    const encoded = item.data.encoded;
    const text = encoded[0];
    if (encoded.length === 1 && endsWithEncodedTail(result.message)) {
      this.#headers.learn(bytes, {
        uid: item.uid,
        nsp: result.message.nsp,
        opts: item.opts,
        text,
        own: item.own,
      });
    }
    return item;
  }
}

function lastKeyIsData(envelope: object): boolean {
  const keys = Object.keys(envelope);
  return keys[keys.length - 1] === "data";
}

/** Whether the envelope's last key is `data` and the data map's last two are `e` then `o`. */
function endsWithEncodedTail(envelope: { data?: unknown }): boolean {
  if (!lastKeyIsData(envelope)) return false;
  const data = envelope.data;
  if (typeof data !== "object" || data === null) return false;
  const dataKeys = Object.keys(data);
  const n = dataKeys.length;
  return n >= 2 && dataKeys[n - 2] === "e" && dataKeys[n - 1] === "o";
}

/** A recoverable encoded event, once its text passed the receiver's check. */
function eventOf(
  uid: string,
  own: number,
  opts: LoggedEvent["opts"],
  encoded: [string],
  nsp: string,
): LoggedEvent | undefined {
  // Checked as on receipt (the bus's limits were the writer's), replayed without decoding.
  if (checkWirePacket(encoded, nsp, UNBOUNDED) !== undefined) return undefined;
  return { uid, own, opts, data: { encoded } };
}

function loggedItem(result: DecodeResult, nsp: string): LoggedItem {
  if (!result.ok) return undefined;
  const message = result.message;
  if (message.type === MessageType.HISTORY_GAP) return { gap: true, rooms: message.data.rooms };
  if (message.type !== MessageType.BROADCAST || message.data.o === undefined) return undefined;
  const opts = fromWireOptions(message.data.opts);
  const encoded = message.data.e;
  if (encoded !== undefined) {
    if (checkWirePacket(encoded, nsp, UNBOUNDED) !== undefined) return undefined;
    return { uid: message.uid, own: message.data.o, opts, data: { encoded } };
  }
  const data = message.data.packet.data;
  if (!Array.isArray(data)) return undefined;
  return { uid: message.uid, own: message.data.o, opts, data };
}
