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
  /** Whether a volatile packet can leave at once (see `EngineSession.canSendVolatile`). */
  canSendVolatile(): boolean;
}

// The chunk array the adapter hands to every target of the broadcast running now, and its
// packets: one wrapping per broadcast. An adapter writes a broadcast's targets in one synchronous
// loop, so one slot suffices; it is emptied at the next microtask checkpoint (nothing is retained
// past the broadcast, and no WeakMap entry is made and collected per broadcast).
const NO_PACKETS: EncodedPacket[] = [];
let lastChunks: readonly unknown[] | undefined;
let lastPackets: EncodedPacket[] = NO_PACKETS;
let clearScheduled = false;

function clearLast(): void {
  clearScheduled = false;
  lastChunks = undefined;
  lastPackets = NO_PACKETS;
}

/** Whether the session can take pre-encoded packets (ours can; the official engine.io cannot). */
export function acceptsPreEncoded(session: EngineSessionLike): session is PreEncodingSession {
  return typeof (session as Partial<PreEncodingSession>).writePreEncoded === "function";
}

/** The Engine.IO message packets of a chunk list, created on first use and then reused. */
export function sharedPackets(chunks: readonly unknown[]): EncodedPacket[] {
  if (chunks === lastChunks) return lastPackets;
  const packets = chunks.map((chunk) => new EncodedPacket("message", chunk as string | BinaryData));
  lastChunks = chunks;
  lastPackets = packets;
  if (!clearScheduled) {
    clearScheduled = true;
    queueMicrotask(clearLast);
  }
  return packets;
}
