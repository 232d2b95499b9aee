// Socket.IO v5 packet model: the seven packet types and the packet shape both codecs share.
// See docs/protocol.md §2.1 for what data each type may carry.

/** Version of the Socket.IO protocol these codecs speak. */
export const SOCKET_PROTOCOL_VERSION = 5;

// The wire number of each type, as constants of their own: a bundler inlines these, where a
// property of PacketType would stay a lookup. Package code uses them; users use PacketType.
/** @package */
export const CONNECT = 0;
/** @package */
export const DISCONNECT = 1;
/** @package */
export const EVENT = 2;
/** @package */
export const ACK = 3;
/** @package */
export const CONNECT_ERROR = 4;
/** @package */
export const BINARY_EVENT = 5;
/** @package */
export const BINARY_ACK = 6;

/** The Socket.IO packet types, numbered as on the wire. */
export const PacketType: {
  readonly CONNECT: 0;
  readonly DISCONNECT: 1;
  readonly EVENT: 2;
  readonly ACK: 3;
  readonly CONNECT_ERROR: 4;
  readonly BINARY_EVENT: 5;
  readonly BINARY_ACK: 6;
} = { CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR, BINARY_EVENT, BINARY_ACK };

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
