// Broadcast fast path, engine side: the chunks an adapter encoded once are wrapped once into
// Engine.IO packets whose wire forms (polling text, WebSocket frame) every session then shares.
import type { BinaryData } from "@switchyard/protocol";
import { EncodedPacket } from "../transport/encoded-packet.js";
import type { EngineSessionLike } from "./engine-session.js";

/** A session of our engine: it accepts packets encoded once for many sessions. */
export interface PreEncodingSession extends EngineSessionLike {
  writePreEncoded(
    packet: EncodedPacket,
    options?: { compress?: boolean; volatile?: boolean },
  ): boolean;
}

// Keyed by the chunk array the adapter hands to every target: one wrapping per broadcast.
const shared = new WeakMap<readonly unknown[], EncodedPacket[]>();

/** Whether the session can take pre-encoded packets (ours can; the official engine.io cannot). */
export function acceptsPreEncoded(session: EngineSessionLike): session is PreEncodingSession {
  return typeof (session as Partial<PreEncodingSession>).writePreEncoded === "function";
}

/** The Engine.IO message packets of a chunk list, created on first use and then reused. */
export function sharedPackets(chunks: readonly unknown[]): EncodedPacket[] {
  let packets = shared.get(chunks);
  if (packets === undefined) {
    packets = chunks.map((chunk) => new EncodedPacket("message", chunk as string | BinaryData));
    shared.set(chunks, packets);
  }
  return packets;
}
