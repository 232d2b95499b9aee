// What a restored socket is sent: the replayed events, each with the restoring node's offset as
// its last argument. Events that travelled encoded (adapter/wire-packet.ts) get the offset
// spliced into their text and are never decoded; with the default parser every event is handed
// over encoded (`Session.missedEncoded`), and `missedPackets` decodes them only when read.
import { type Packet, PacketType } from "@switchyard/protocol";
import type { Session, SessionToPersist } from "../adapter/adapter.js";
import { decodeWirePacket, withArgument } from "../adapter/wire-packet.js";
import type { PacketEncoder } from "../connection/parser.js";
import type { EventPayload } from "./replay.js";

/**
 * The restored session `saved` with `events` (in delivery order) stamped with `stamp`, for
 * namespace `nsp` whose server encodes with `encoder`.
 */
export function restoredSession(
  saved: SessionToPersist,
  events: readonly EventPayload[],
  stamp: string,
  nsp: string,
  encoder: PacketEncoder,
): Session {
  const dataOf = (event: EventPayload): unknown[] | undefined => {
    if (Array.isArray(event)) return [...event, stamp];
    const data = decodeWirePacket(withArgument(event.encoded, stamp))?.data;
    return Array.isArray(data) ? data : undefined;
  };
  if (encoder.defaultWireFormat !== true) {
    // A custom parser: only the data can be written.
    const missedPackets = events.map(dataOf).filter((data) => data !== undefined);
    return { ...saved, missedPackets };
  }
  const missedEncoded = events.map((event): readonly unknown[] => {
    if (!Array.isArray(event)) return withArgument(event.encoded, stamp);
    const packet: Packet = { type: PacketType.EVENT, nsp, data: [...event, stamp] };
    return encoder.encode(packet);
  });
  let missedPackets: unknown[][] | undefined;
  return {
    ...saved,
    missedEncoded,
    get missedPackets(): unknown[][] {
      missedPackets ??= events.map(dataOf).filter((data) => data !== undefined);
      return missedPackets;
    },
  };
}
