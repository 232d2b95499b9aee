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
import { decodeHistoryIndex } from "./history-index.js";

/**
 * The items of `entry` written in namespace `nsp` (others are ignored): from its replay index when
 * it has one (history-index.ts), decoding only the items the index does not cover.
 */
export function readHistoryEntry(
  entry: HistoryEntry,
  nsp: string,
): Array<LoggedEvent | LoggedGap | undefined> {
  const index = entry.index === undefined ? undefined : decodeHistoryIndex(entry.index);
  if (index === undefined) return decodeEntry(entry, nsp);
  // An event of this namespace: `2["...` on "/", `2/chat,["...` elsewhere (a broker's bytes).
  const prefix = nsp === "/" ? "2[" : `2${nsp},[`;
  let decoded: Array<LoggedEvent | LoggedGap | undefined> | undefined;
  return index.map((item, i) => {
    if (item?.[4].startsWith(prefix)) {
      const [uid, own, rooms, except, text] = item;
      return { uid, own, opts: { rooms: new Set(rooms), except: new Set(except) }, text };
    }
    decoded ??= decodeEntry(entry, nsp);
    return decoded[i];
  });
}

/** The items of `entry`, each message decoded. */
function decodeEntry(entry: HistoryEntry, nsp: string): Array<LoggedEvent | LoggedGap | undefined> {
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
  const data = message.data.packet.data;
  if (!Array.isArray(data)) return undefined;
  return { uid: message.uid, own: message.data.o, opts: fromWireOptions(message.data.opts), data };
}
