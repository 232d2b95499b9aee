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
  try {
    // JSON text never starts with "0{", so the optional type digit is unambiguous. Destructuring
    // null throws (caught below); arrays and primitives lack the keys; `rest` holds extra keys.
    const { sid, upgrades, pingInterval, pingTimeout, maxPayload, ...rest } = JSON.parse(
      data.charCodeAt(0) === 48 ? data.slice(1) : data,
    ) as Partial<Record<keyof EngineOpenPacket, unknown>>;
    if (
      typeof sid === "string" &&
      sid !== "" &&
      Array.isArray(upgrades) &&
      upgrades.every((name) => typeof name === "string") &&
      [pingInterval, pingTimeout, maxPayload].every(isDuration) &&
      Object.keys(rest).length === 0
    ) {
      return {
        ok: true,
        value: {
          sid,
          upgrades,
          pingInterval: pingInterval as number,
          pingTimeout: pingTimeout as number,
          maxPayload: maxPayload as number,
        },
      };
    }
  } catch {
    // Not JSON, or JSON null: reported below.
  }
  return decodeFailure(CODE_ENGINE_INVALID_OPEN_PACKET, "invalid open packet");
}
