// Shape checks on Socket.IO packets: the data each type may carry (protocol.md §2.1, §2.4).
// Used by the decoder on peer input, and exported as isPacketValid for custom parsers.

import { ProtocolErrorCode } from "../errors.js";
import { type Packet, PacketType, RESERVED_EVENTS } from "./packet.js";

const objectToString = Object.prototype.toString;

/** True for a plain object, by the same `[object Object]` test the official parser uses. */
function isPlainObject(value: unknown): boolean {
  return objectToString.call(value) === "[object Object]";
}

/** Checks EVENT data: an array whose first item is a number or a non-reserved event name. */
function checkEventData(data: unknown): ProtocolErrorCode | undefined {
  if (!Array.isArray(data)) return ProtocolErrorCode.INVALID_PAYLOAD;
  const name: unknown = data[0];
  if (typeof name === "number") return undefined;
  if (typeof name !== "string") return ProtocolErrorCode.INVALID_PAYLOAD;
  // Every reserved name has 7 to 14 characters: most event names never reach the Set lookup.
  return name.length >= 7 && name.length <= 14 && RESERVED_EVENTS.has(name)
    ? ProtocolErrorCode.RESERVED_EVENT_NAME
    : undefined;
}

/**
 * Checks decoded JSON `data` against its packet type; returns the failure code, or undefined.
 * Only called when the packet carries data at all (a bare `2` skips the check).
 */
export function checkPayload(type: PacketType, data: unknown): ProtocolErrorCode | undefined {
  switch (type) {
    case PacketType.EVENT:
    case PacketType.BINARY_EVENT:
      return checkEventData(data);
    case PacketType.ACK:
    case PacketType.BINARY_ACK:
      return Array.isArray(data) ? undefined : ProtocolErrorCode.INVALID_PAYLOAD;
    case PacketType.CONNECT:
      return isPlainObject(data) ? undefined : ProtocolErrorCode.INVALID_PAYLOAD;
    case PacketType.CONNECT_ERROR:
      return typeof data === "string" || isPlainObject(data)
        ? undefined
        : ProtocolErrorCode.INVALID_PAYLOAD;
    default:
      // DISCONNECT carries no data.
      return data === undefined ? undefined : ProtocolErrorCode.INVALID_PAYLOAD;
  }
}

function isDataValid(type: unknown, data: unknown): boolean {
  switch (type) {
    case PacketType.CONNECT:
      return data === undefined || isPlainObject(data);
    case PacketType.DISCONNECT:
      return data === undefined;
    case PacketType.EVENT:
      return checkEventData(data) === undefined;
    case PacketType.ACK:
      return Array.isArray(data);
    case PacketType.CONNECT_ERROR:
      return typeof data === "string" || isPlainObject(data);
    default:
      return false;
  }
}

/**
 * True when `packet` is a well-formed decoded packet: a string nsp, an integer or absent ack
 * id, and data that fits the type (BINARY_* types are never valid here, as in the official).
 */
export function isPacketValid(packet: unknown): packet is Packet {
  if (typeof packet !== "object" || packet === null) return false;
  const { nsp, id, type, data } = packet as Record<string, unknown>;
  return (
    typeof nsp === "string" && (id === undefined || Number.isInteger(id)) && isDataValid(type, data)
  );
}
