// The transport contract between engine/session.ts and the polling / websocket implementations.
// A transport moves whole Engine.IO packets; it knows nothing about sessions or heartbeats.
import type { EnginePacket, ProtocolError } from "@switchyard/protocol";
import type { EncodedPacket } from "./encoded-packet.js";

/** Where a transport reports what happens on the wire. One sink at a time (see `bind`). */
export interface TransportSink {
  /** A decoded packet from the peer. */
  onPacket(packet: EnginePacket): void;
  /** The peer sent bytes that do not decode ("parse error"). */
  onParseError(error: ProtocolError): void;
  /** The transport failed ("transport error"); `description` says how. */
  onError(description: string): void;
  /** The peer closed the transport ("transport close"). */
  onClose(): void;
  /** The transport became writable (a polling GET arrived). */
  onWritable(): void;
}

/** One outbound packet and whether it asked for compression. */
export interface OutboundPacket {
  readonly encoded: EncodedPacket;
  readonly compress: boolean;
}

/** A transport as the session sees it. */
export interface Transport {
  readonly name: "polling" | "websocket";
  /** Whether `send` may be called now. */
  readonly writable: boolean;
  /** Polling can be upgraded to websocket; websocket cannot be upgraded. */
  readonly handlesUpgrades: boolean;
  /** Bytes accepted by `send` but not yet handed to the kernel. */
  readonly bufferedBytes: number;
  /** Routes this transport's events to a new sink. */
  bind(sink: TransportSink): void;
  /** Writes packets; `onSent` runs once they are flushed to the socket. */
  send(packets: readonly OutboundPacket[], onSent: () => void): void;
  /** Marks the transport as replaced: it ends quickly and reports nothing more. */
  discard(): void;
  /** Closes the transport; `onClosed` runs when it is done (polling may defer to the next GET). */
  close(onClosed?: () => void): void;
}
