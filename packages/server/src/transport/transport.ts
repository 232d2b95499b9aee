// The transport contract between engine/session.ts and the polling / websocket implementations.
// A transport moves whole Engine.IO packets; it knows nothing about sessions or heartbeats.
import type { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { EnginePacket, ProtocolError } from "@switchyard/protocol";
import type { TransportError } from "../engine/errors.js";
import type { EncodedPacket } from "./encoded-packet.js";

/**
 * Events of a transport, as the official engine.io transports emit them (`conn.transport.on(…)`).
 * The session is told through its sink first; these events follow, for application code.
 */
export interface TransportEvents {
  /** A decoded packet from the peer. */
  packet: [packet: EnginePacket];
  /** The transport failed; emitted only when someone listens (as officially). */
  error: [error: TransportError];
  /** The transport is closed. */
  close: [];
  /** A batch of packets was written (a polling answer sent, WebSocket frames handed to the socket). */
  drain: [];
  /** The transport turned writable (a polling GET arrived, a WebSocket write completed). */
  ready: [];
}

/** Where a transport reports what happens on the wire. One sink at a time (see `bind`). */
export interface TransportSink {
  /** A decoded packet from the peer. */
  onPacket(packet: EnginePacket): void;
  /** The peer sent bytes that do not decode ("parse error"). */
  onParseError(error: ProtocolError): void;
  /** The transport failed ("transport error"); the error's message says how. */
  onError(error: TransportError): void;
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
export interface Transport extends EventEmitter<TransportEvents> {
  /** Its name in the transport registry (`transport/registry.ts`). */
  readonly name: string;
  /**
   * Whether a write would leave now, as officially: polling has a GET pending, a WebSocket is
   * open with no write in flight. Volatile packets are dropped while it is false.
   */
  readonly writable: boolean;
  /**
   * Whether `send` may be called now: polling has a GET pending; a WebSocket is open (writes
   * pipeline behind one in flight, so that a tick's batch never waits for the previous one).
   */
  readonly canFlush: boolean;
  /**
   * As engine.io: true when the transport is served by an HTTP Upgrade (websocket), false when
   * by plain requests (polling). Where a session may go next is the registry's `upgradesTo`.
   */
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
  /** Takes one HTTP request of the session; only transports served by plain requests have it. */
  onRequest?(req: IncomingMessage, res: ServerResponse): void;
}

/** A transport served by plain HTTP requests (polling). */
export interface RequestTransport extends Transport {
  onRequest(req: IncomingMessage, res: ServerResponse): void;
}
