// The Engine.IO handshake (protocol.md §1.3): the open packet the server sends first.
// The server engine encodes it; the client engine parses and validates it.
import { CODE_ENGINE_INVALID_OPEN_PACKET, type DecodeResult, decodeFailure } from "../errors.js";

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

function isDuration(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

/**
 * Parses and validates the open packet's data (the JSON; a leading type digit `0` is accepted
 * too). It must hold exactly the five handshake keys with the right types; never throws.
 */
export function parseOpenPacket(data: string): DecodeResult<EngineOpenPacket> {
  let parsed: unknown;
  try {
    // JSON text never starts with "0{", so the optional type digit is unambiguous.
    parsed = JSON.parse(data.charCodeAt(0) === 48 ? data.slice(1) : data);
  } catch {
    // Reported below: `undefined` is not an object.
  }
  const open = parsed as Partial<Record<(typeof OPEN_KEYS)[number], unknown>> | undefined;
  if (
    typeof open === "object" &&
    open !== null &&
    !Array.isArray(open) &&
    Object.keys(open).length === OPEN_KEYS.length &&
    OPEN_KEYS.every((key) => Object.hasOwn(open, key))
  ) {
    const { sid, upgrades, pingInterval, pingTimeout, maxPayload } = open;
    if (
      typeof sid === "string" &&
      sid.length > 0 &&
      Array.isArray(upgrades) &&
      upgrades.every((name) => typeof name === "string") &&
      isDuration(pingInterval) &&
      isDuration(pingTimeout) &&
      isDuration(maxPayload)
    ) {
      return { ok: true, value: { sid, upgrades, pingInterval, pingTimeout, maxPayload } };
    }
  }
  return decodeFailure(CODE_ENGINE_INVALID_OPEN_PACKET, "invalid open packet");
}
