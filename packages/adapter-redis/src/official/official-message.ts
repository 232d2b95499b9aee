// The wire format of the official Redis emitters (@socket.io/redis-emitter 5 and its PHP, Python,
// Go… ports), as observed on a real Redis (docs/compat.md, "Official emitters"):
//   broadcasts  msgpack [uid, { type: 2, data: [event, ...args], nsp }, { rooms, except, flags }]
//               on `<key>#<nsp>#`, or `<key>#<nsp>#<room>#` when exactly one room is targeted;
//   requests    JSON on `<key>-request#<nsp>#`: { type: 2 | 3, opts: { rooms, except }, rooms }
//               (socketsJoin / socketsLeave), { type: 4, opts, close } (disconnectSockets),
//               { uid, type: 6, data: [event, ...args] } (serverSideEmit).
// Pure decoding and checking: peer bytes never throw past here.
import { Decoder } from "@msgpack/msgpack";
import { RESERVED_EVENTS } from "@switchyard/protocol";

/** Why a message on an official channel was dropped. */
export type OfficialDropReason =
  | "too-large"
  | "undecodable"
  | "bad-shape"
  | "too-deep"
  | "reserved-event"
  | "unsupported-type";

/** Bounds of what is accepted on the official channels. */
export interface OfficialLimits {
  /** Most bytes of one message. */
  maxBytes: number;
  /** Most levels of nesting of one message (the event arguments included). */
  maxDepth: number;
}

/** Targeting as the official format carries it (`rooms`/`except` may be numbers: made strings). */
export interface OfficialTarget {
  rooms: string[];
  except: string[];
  flags: { volatile?: boolean; compress?: boolean };
}

/** A decoded message: what to do, in the adapter's terms. */
export type OfficialMessage =
  | { kind: "broadcast"; nsp: string | undefined; data: unknown[]; target: OfficialTarget }
  | { kind: "join" | "leave"; target: OfficialTarget; rooms: string[] }
  | { kind: "disconnect"; target: OfficialTarget; close: boolean }
  | { kind: "serverSideEmit"; data: unknown[] };

/** The result of decoding: never throws. */
export type OfficialResult =
  | { ok: true; message: OfficialMessage }
  | { ok: false; reason: OfficialDropReason };

/** Official request types (socket.io redis-adapter's `RequestType`) sent by emitters. */
const REQUEST = { REMOTE_JOIN: 2, REMOTE_LEAVE: 3, REMOTE_DISCONNECT: 4, SERVER_SIDE_EMIT: 6 };
const EVENT = 2;
const BINARY_EVENT = 5;
const OPEN_BRACE = 0x7b;

/** Decodes a message published on a broadcast channel (`<key>#<nsp>#…`). */
export function decodeOfficialBroadcast(bytes: Uint8Array, limits: OfficialLimits): OfficialResult {
  const decoded = decodeMsgpack(bytes, limits);
  if (!decoded.ok) return decoded;
  const value = decoded.value;
  if (!Array.isArray(value) || value.length < 2 || typeof value[0] !== "string") {
    return bad("bad-shape");
  }
  const packet: unknown = value[1];
  if (!isRecord(packet)) return bad("bad-shape");
  if (packet["type"] !== EVENT && packet["type"] !== BINARY_EVENT) return bad("unsupported-type");
  const data = packet["data"];
  const nsp = packet["nsp"];
  if (!Array.isArray(data) || typeof data[0] !== "string") return bad("bad-shape");
  if (nsp !== undefined && typeof nsp !== "string") return bad("bad-shape");
  if (RESERVED_EVENTS.has(data[0])) return bad("reserved-event");
  const target = readTarget(value[2]);
  if (target === undefined) return bad("bad-shape");
  return { ok: true, message: { kind: "broadcast", nsp, data, target } };
}

/** Decodes a message published on the request channel (`<key>-request#<nsp>#`). */
export function decodeOfficialRequest(bytes: Uint8Array, limits: OfficialLimits): OfficialResult {
  if (bytes.byteLength > limits.maxBytes) return bad("too-large");
  let value: unknown;
  if (bytes[0] === OPEN_BRACE) {
    try {
      value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString());
    } catch {
      return bad("undecodable");
    }
    if (depthOver(value, limits.maxDepth)) return bad("too-deep");
  } else {
    // Official adapter nodes send their broadcasts with acks here in msgpack: not for us.
    const decoded = decodeMsgpack(bytes, limits);
    if (!decoded.ok) return decoded;
    value = decoded.value;
    return isRecord(value) && typeof value["type"] === "number"
      ? bad("unsupported-type")
      : bad("bad-shape");
  }
  if (!isRecord(value) || typeof value["type"] !== "number") return bad("bad-shape");
  return readRequest(value);
}

function readRequest(value: Record<string, unknown>): OfficialResult {
  switch (value["type"]) {
    case REQUEST.REMOTE_JOIN:
    case REQUEST.REMOTE_LEAVE: {
      const target = readTarget(value["opts"]);
      const rooms = readRooms(value["rooms"]);
      if (target === undefined || rooms === undefined) return bad("bad-shape");
      const kind = value["type"] === REQUEST.REMOTE_JOIN ? "join" : "leave";
      return { ok: true, message: { kind, target, rooms } };
    }
    case REQUEST.REMOTE_DISCONNECT: {
      const target = readTarget(value["opts"]);
      const close = value["close"] ?? false;
      if (target === undefined || typeof close !== "boolean") return bad("bad-shape");
      return { ok: true, message: { kind: "disconnect", target, close } };
    }
    case REQUEST.SERVER_SIDE_EMIT: {
      const data = value["data"];
      if (!Array.isArray(data) || typeof data[0] !== "string") return bad("bad-shape");
      return { ok: true, message: { kind: "serverSideEmit", data } };
    }
    default:
      // Requests between official adapter nodes (fetchSockets, allRooms…): not answered here.
      return bad("unsupported-type");
  }
}

/** `{ rooms?, except?, flags? }`; missing parts are empty (older ports omit `except`). */
function readTarget(value: unknown): OfficialTarget | undefined {
  if (value === undefined || value === null) return { rooms: [], except: [], flags: {} };
  if (!isRecord(value)) return undefined;
  const rooms = readRooms(value["rooms"] ?? []);
  const except = readRooms(value["except"] ?? []);
  const given = value["flags"] ?? {};
  if (rooms === undefined || except === undefined || !isRecord(given)) return undefined;
  // Only the flags a broadcast from outside may set; `local`, `timeout`… never travel.
  const flags: OfficialTarget["flags"] = {};
  if (typeof given["volatile"] === "boolean") flags.volatile = given["volatile"];
  if (typeof given["compress"] === "boolean") flags.compress = given["compress"];
  return { rooms, except, flags };
}

function readRooms(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const rooms: string[] = [];
  for (const room of value) {
    if (typeof room === "string") rooms.push(room);
    else if (typeof room === "number" && Number.isFinite(room)) rooms.push(String(room));
    else return undefined;
  }
  return rooms;
}

type Decoded = { ok: true; value: unknown } | { ok: false; reason: OfficialDropReason };

/** One decoder per power-of-two size class: no header can claim more than its class. */
const decoders = new Map<number, Decoder>();

function decodeMsgpack(bytes: Uint8Array, limits: OfficialLimits): Decoded {
  if (bytes.byteLength > limits.maxBytes) return bad("too-large");
  const size = 2 ** Math.max(6, 32 - Math.clz32(Math.max(0, bytes.byteLength - 1)));
  let decoder = decoders.get(size);
  if (decoder === undefined) {
    decoder = new Decoder({
      maxStrLength: size,
      maxBinLength: size,
      maxArrayLength: size,
      maxMapLength: size,
      maxExtLength: size,
    });
    if (size <= 65_536) decoders.set(size, decoder);
  }
  let value: unknown;
  try {
    value = decoder.decode(bytes);
  } catch {
    return bad("undecodable");
  }
  if (depthOver(value, limits.maxDepth)) return bad("too-deep");
  return { ok: true, value };
}

/** Whether `value` nests deeper than `max` levels (iterative: no stack to overflow). */
export function depthOver(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, depth] = item;
    if (typeof node !== "object" || node === null || ArrayBuffer.isView(node)) continue;
    if (node instanceof Date) continue;
    if (depth >= max) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) stack.push([child, depth + 1]);
  }
  return false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function bad(reason: OfficialDropReason): { ok: false; reason: OfficialDropReason } {
  return { ok: false, reason };
}
