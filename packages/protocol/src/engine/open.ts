// The Engine.IO handshake (docs/protocol.md §1.3): the open packet the server sends first.
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

/**
 * An open packet as a client reads it: `maxPayload` may be absent (python-engineio before 4.4
 * sends none; the official client then applies no limit), and keys beyond the five are ignored.
 */
export interface ReceivedOpenPacket {
  sid: string;
  /** What the server offers to upgrade to, as it sent it: unknown names (or non-names) included. */
  upgrades: unknown[];
  pingInterval: number;
  pingTimeout: number;
  /** Absent when the server sent none (or `null`): no limit. */
  maxPayload?: number;
}

function isDuration(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

/**
 * Parses and validates the open packet's data (the JSON; a leading type digit `0` is accepted
 * too), as leniently as the official client where safety allows: `sid` must be a non-empty
 * string, `upgrades` an array (of anything: a client uses the names it knows), `pingInterval` and
 * `pingTimeout` non-negative numbers (the heartbeat depends on them); `maxPayload` is optional
 * (absent or `null`: no limit) but must be a non-negative number when given; other keys are
 * ignored. Never throws.
 */
export function parseOpenPacket(data: string): DecodeResult<ReceivedOpenPacket> {
  try {
    // JSON text never starts with "0{", so the optional type digit is unambiguous. Destructuring
    // null throws (caught below); arrays and primitives lack the keys.
    const { sid, upgrades, pingInterval, pingTimeout, maxPayload } = JSON.parse(
      data.charCodeAt(0) === 48 ? data.slice(1) : data,
    ) as Partial<Record<keyof EngineOpenPacket, unknown>>;
    if (
      typeof sid === "string" &&
      sid !== "" &&
      Array.isArray(upgrades) &&
      isDuration(pingInterval) &&
      isDuration(pingTimeout) &&
      (maxPayload == null || isDuration(maxPayload))
    ) {
      const value: ReceivedOpenPacket = {
        sid,
        upgrades,
        pingInterval,
        pingTimeout,
        maxPayload: maxPayload as number,
      };
      if (maxPayload == null) delete value.maxPayload;
      return { ok: true, value };
    }
  } catch {
    // Not JSON, or JSON null: reported below.
  }
  return decodeFailure(CODE_ENGINE_INVALID_OPEN_PACKET, "invalid open packet");
}
