// One packet in a session's write buffer, the official packet object that the `packetCreate` and
// `flush` events show for it, and what `send(data)` makes of a value that is not a string or binary.
import { type BinaryData, isBinary } from "@switchyard/protocol";
import type { EncodedPacket } from "../transport/encoded-packet.js";
import type { OutboundPacket } from "../transport/transport.js";
import type { SendCallback, SessionPacket, WriteOptions } from "./session-types.js";

/** A packet waiting in a session's write buffer. */
export interface QueuedPacket extends OutboundPacket {
  readonly callback: SendCallback | undefined;
  /** The packet as `packetCreate` showed it; built only when someone listens. */
  view: SessionPacket | undefined;
}

/** The write buffer's entry for `encoded`: compressed unless the options say otherwise. */
export function queuedPacket(
  encoded: EncodedPacket,
  options: WriteOptions | undefined,
  callback: SendCallback | undefined,
): QueuedPacket {
  return { encoded, compress: options?.compress !== false, callback, view: undefined };
}

/** The official packet object of a queued packet: type, options and data when there is any. */
export function viewOf(entry: QueuedPacket): SessionPacket {
  if (entry.view !== undefined) return entry.view;
  const { type, data } = entry.encoded.packet;
  const view: SessionPacket = { type, options: { compress: entry.compress } };
  if (data !== undefined && data !== "") view.data = data;
  entry.view = view;
  return view;
}

/**
 * What `send(data)` sends, as officially: strings and binary as they are, other truthy values as
 * their string form (`send(42)` sends "42"), falsy ones as a message without data.
 */
export function messageData(data: unknown): string | BinaryData | undefined {
  if (typeof data === "string" || isBinary(data)) return data;
  return data ? String(data) : undefined;
}
