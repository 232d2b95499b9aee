// The Engine.IO handshake (protocol.md §1.3): the open packet the server sends first.
// The server engine encodes it; the client engine parses and validates it.
import {
  type DecodeResult,
  decodeFailure,
  type ProtocolError,
  ProtocolErrorCode,
} from "../errors.js";

/** The JSON body of the open packet, with exactly these keys. */
export interface EngineOpenPacket {
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
}

const OPEN_KEYS = ["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"] as const;

/** The whole open frame: `0{"sid":…,"upgrades":[…],"pingInterval":N,"pingTimeout":N,"maxPayload":N}`. */
export function encodeOpenPacket(open: EngineOpenPacket): string {
  // A fresh object fixes the key order and drops any extra property of the caller's object.
  const body: EngineOpenPacket = {
    sid: open.sid,
    upgrades: open.upgrades,
    pingInterval: open.pingInterval,
    pingTimeout: open.pingTimeout,
    maxPayload: open.maxPayload,
  };
  return `0${JSON.stringify(body)}`;
}

function invalid(reason: string): { ok: false; error: ProtocolError } {
  return decodeFailure(
    ProtocolErrorCode.ENGINE_INVALID_OPEN_PACKET,
    `invalid open packet: ${reason}`,
  );
}

function isDuration(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

/**
 * Parses and validates the open packet's data (the JSON; a leading type digit `0` is accepted
 * too). It must hold exactly the five handshake keys with the right types; never throws.
 */
export function parseOpenPacket(data: string): DecodeResult<EngineOpenPacket> {
  // JSON text never starts with "0{", so the optional type digit is unambiguous.
  const json = data.charCodeAt(0) === 48 ? data.slice(1) : data;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return invalid("not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return invalid("not a JSON object");
  }
  const keys = Object.keys(parsed);
  if (keys.length !== OPEN_KEYS.length || !OPEN_KEYS.every((key) => Object.hasOwn(parsed, key))) {
    return invalid(`expected exactly the keys ${OPEN_KEYS.join(", ")}`);
  }
  const { sid, upgrades, pingInterval, pingTimeout, maxPayload } = parsed as Record<
    (typeof OPEN_KEYS)[number],
    unknown
  >;
  if (typeof sid !== "string" || sid.length === 0) return invalid("sid must be a non-empty string");
  if (!Array.isArray(upgrades) || !upgrades.every((name) => typeof name === "string")) {
    return invalid("upgrades must be an array of strings");
  }
  if (!isDuration(pingInterval) || !isDuration(pingTimeout) || !isDuration(maxPayload)) {
    return invalid("pingInterval, pingTimeout and maxPayload must be non-negative numbers");
  }
  return {
    ok: true,
    value: { sid, upgrades: upgrades as string[], pingInterval, pingTimeout, maxPayload },
  };
}
