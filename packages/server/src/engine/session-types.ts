// The contract of an Engine.IO session: why it closes, its ready states, the options of one
// write and its events (as in the official engine.io `Socket`), and what it needs from its engine.
import type { BinaryData, EnginePacket, EnginePacketType } from "@switchyard/protocol";
import type { Transport } from "../transport/transport.js";
import type { HeartbeatNode, HeartbeatScheduler } from "./heartbeat.js";
import type { ResolvedEngineOptions } from "./options.js";
import type { EngineSession } from "./session.js";

/** Why a session closed (docs/protocol.md §1.10), plus switchyard's backpressure reason. */
export type EngineCloseReason =
  | "transport close"
  | "transport error"
  | "ping timeout"
  | "parse error"
  | "forced close"
  | "write buffer overflow";

/** Lifecycle of a session. */
export type EngineReadyState = "opening" | "open" | "closing" | "closed";

/** Options of one write. */
export interface WriteOptions {
  /** Ask for compression (permessage-deflate / httpCompression). @default true */
  compress?: boolean;
  /**
   * Drop the packet unless it can leave at once (switchyard addition, socket.io's `volatile` at
   * the engine level): the transport is writable, nothing else is waiting in the write buffer,
   * and the session is within `maxBufferedBytes`.
   */
  volatile?: boolean;
}

/** Called once a packet has been written, with the transport that wrote it (as officially). */
export type SendCallback = (transport: Transport) => void;

/** A packet as the `packetCreate` and `flush` events show it (the official packet object). */
export interface SessionPacket {
  type: EnginePacketType;
  options: { compress: boolean };
  /** Absent for packets without data (and, as officially, for an empty message). */
  data?: string | BinaryData;
}

/** Events of a session, as in the official engine.io `Socket`. */
export interface EngineSessionEvents {
  open: [];
  close: [reason: EngineCloseReason, description?: unknown];
  message: [data: string | Buffer];
  data: [data: string | Buffer];
  packet: [packet: EnginePacket];
  packetCreate: [packet: SessionPacket];
  heartbeat: [];
  flush: [packets: SessionPacket[]];
  drain: [];
  upgrading: [transport: Transport];
  upgrade: [transport: Transport];
}

/** What a session needs from its engine. */
export interface SessionContext {
  readonly options: ResolvedEngineOptions;
  /** The `upgrades` list of the open packet for this session's first transport. */
  readonly upgrades: readonly string[];
  /** The heartbeats of every session of the engine (see `EngineSession.createHeartbeats`). */
  readonly heartbeats: HeartbeatScheduler<SessionNode>;
  /** Whether the engine has `flush` listeners (the packets are then built for it). */
  wantsFlush(): boolean;
  onFlush(session: EngineSession, packets: SessionPacket[]): void;
  onDrain(session: EngineSession): void;
  /** The session closed; called before its `close` event. */
  onClose?(session: EngineSession): void;
}

/** A session's node in the heartbeat scheduler. */
export interface SessionNode extends HeartbeatNode {
  readonly session: EngineSession;
}
