// Shape checks on Socket.IO packets: the data each type may carry (docs/protocol.md §2.1, §2.4).
// Used by the decoder on peer input, and exported as isPacketValid for custom parsers.

import {
  CODE_INVALID_PAYLOAD,
  CODE_RESERVED_EVENT_NAME,
  type ProtocolErrorCode,
} from "../errors.js";
import {
  ACK,
  BINARY_ACK,
  BINARY_EVENT,
  CONNECT,
  CONNECT_ERROR,
  DISCONNECT,
  EVENT,
  type Packet,
  type PacketType,
  RESERVED_EVENTS,
} from "./packet.js";

const objectToString = Object.prototype.toString;

/** True for a plain object, by the same `[object Object]` test the official parser uses. */
function isPlainObject(value: unknown): boolean {
  return objectToString.call(value) === "[object Object]";
}

/** Checks EVENT data: an array whose first item is a number or a non-reserved event name. */
function checkEventData(data: unknown): ProtocolErrorCode | undefined {
  if (!Array.isArray(data)) return CODE_INVALID_PAYLOAD;
  const name: unknown = data[0];
  if (typeof name === "number") return undefined;
  if (typeof name !== "string") return CODE_INVALID_PAYLOAD;
  // Every reserved name has 7 to 14 characters: most event names never reach the Set lookup.
  return name.length >= 7 && name.length <= 14 && RESERVED_EVENTS.has(name)
    ? CODE_RESERVED_EVENT_NAME
    : undefined;
}

/**
 * Checks decoded JSON `data` against its packet type; returns the failure code, or undefined.
 * Only called when the packet carries data at all (a bare `2` skips the check).
 */
export function checkPayload(type: PacketType, data: unknown): ProtocolErrorCode | undefined {
  switch (type) {
    case EVENT:
    case BINARY_EVENT:
      return checkEventData(data);
    case ACK:
    case BINARY_ACK:
      return Array.isArray(data) ? undefined : CODE_INVALID_PAYLOAD;
    case CONNECT:
      return isPlainObject(data) ? undefined : CODE_INVALID_PAYLOAD;
    case CONNECT_ERROR:
      return typeof data === "string" || isPlainObject(data) ? undefined : CODE_INVALID_PAYLOAD;
    default:
      // DISCONNECT carries no data.
      return data === undefined ? undefined : CODE_INVALID_PAYLOAD;
  }
}

function isDataValid(type: unknown, data: unknown): boolean {
  switch (type) {
    case CONNECT:
      return data === undefined || isPlainObject(data);
    case DISCONNECT:
      return data === undefined;
    case EVENT:
      return checkEventData(data) === undefined;
    case ACK:
      return Array.isArray(data);
    case CONNECT_ERROR:
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
