// Reading a log entry back (recovery): the recoverable events and gap markers of one message or
// batch of a namespace, as replay.ts judges them. The bytes come from the broker: peer input,
// never thrown on; what is not a recoverable event or a gap comes back as undefined.
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
import { checkWirePacket, type WirePacketLimits } from "./wire-packet.js";

const UNBOUNDED: WirePacketLimits = {
  maxLength: Number.MAX_SAFE_INTEGER,
  maxAttachments: Number.MAX_SAFE_INTEGER,
};

/** The items of `entry` written in namespace `nsp` (others are ignored). */
export function readHistoryEntry(
  entry: HistoryEntry,
  nsp: string,
): Array<LoggedEvent | LoggedGap | undefined> {
  const decoded = decodeEnvelope(entry.payload);
  if (!decoded.ok || decoded.envelope.nsp !== nsp) return [];
  const envelope = decoded.envelope;
  if (envelope.type !== BATCH_TYPE) return [loggedItem(checkMessage(envelope))];
  // Written by the publisher within its own limits: the reader's own do not apply.
  const batch = readBatch(envelope, entry.payload.byteLength, {
    maxMessages: Number.MAX_SAFE_INTEGER,
    maxBytes: Number.MAX_SAFE_INTEGER,
  });
  if (!batch.ok) return [];
  return batch.items.map((item) => loggedItem(decodeBatchItem(item, envelope)));
}

function loggedItem(result: DecodeResult): LoggedEvent | LoggedGap | undefined {
  if (!result.ok) return undefined;
  const message = result.message;
  if (message.type === MessageType.HISTORY_GAP) return { gap: true, rooms: message.data.rooms };
  if (message.type !== MessageType.BROADCAST || message.data.o === undefined) return undefined;
  const opts = fromWireOptions(message.data.opts);
  const encoded = message.data.e;
  if (encoded !== undefined) {
    // Checked as on receipt (the bus's limits were the writer's), replayed without decoding.
    if (checkWirePacket(encoded, message.nsp, UNBOUNDED) !== undefined) return undefined;
    return { uid: message.uid, own: message.data.o, opts, data: { encoded } };
  }
  const data = message.data.packet.data;
  if (!Array.isArray(data)) return undefined;
  return { uid: message.uid, own: message.data.o, opts, data };
}
