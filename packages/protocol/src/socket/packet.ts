// Socket.IO v5 packet model: the seven packet types and the packet shape both codecs share.
// See protocol.md §2.1 for what data each type may carry.

/** Version of the Socket.IO protocol these codecs speak. */
export const SOCKET_PROTOCOL_VERSION = 5;

/** The Socket.IO packet types, numbered as on the wire. */
export const PacketType = {
  CONNECT: 0,
  DISCONNECT: 1,
  EVENT: 2,
  ACK: 3,
  CONNECT_ERROR: 4,
  BINARY_EVENT: 5,
  BINARY_ACK: 6,
} as const;

/** One of the {@link PacketType} values. */
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

/** One Socket.IO packet, as encoded by {@link Encoder} and produced by {@link Decoder}. */
export interface Packet {
  type: PacketType;
  nsp: string;
  id?: number | undefined;
  data?: unknown;
  attachments?: number | undefined;
}

/** Event names a peer may not send: the decoder rejects an EVENT that uses one. */
export const RESERVED_EVENTS: ReadonlySet<string> = new Set([
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
]);
