// Socket.IO packet types as plain constants: the bundler inlines them from this import-free
// module, where a PacketType property would stay a lookup. Each is typed by its PacketType
// member, so a value that disagrees with @switchyard/protocol fails to compile.
import type { PacketType } from "@switchyard/protocol";

export const ACK: typeof PacketType.ACK = 3;
export const BINARY_ACK: typeof PacketType.BINARY_ACK = 6;
export const BINARY_EVENT: typeof PacketType.BINARY_EVENT = 5;
export const CONNECT: typeof PacketType.CONNECT = 0;
export const CONNECT_ERROR: typeof PacketType.CONNECT_ERROR = 4;
export const DISCONNECT: typeof PacketType.DISCONNECT = 1;
export const EVENT: typeof PacketType.EVENT = 2;
