// The few Engine.IO v4 / Socket.IO v5 text packets the load generators speak (docs/protocol.md), and
// the benchmark's payloads. Shared by the server child and the generators; pure.

export const FANOUT_ROOM = "fanout";
/** Engine.IO packet separator in polling payloads. */
export const RECORD_SEPARATOR = "\x1e";

/** Engine.IO packet types as their first character code. */
export const EIO = { OPEN: 0x30, PING: 0x32, MESSAGE: 0x34, NOOP: 0x36 } as const;
/** Socket.IO packet types as the second character code of an Engine.IO message. */
export const SIO = { CONNECT: 0x30, EVENT: 0x32, ACK: 0x33 } as const;

export const PONG = "3";
export const CONNECT_DEFAULT = "40";

/** The path and query of both stacks' Engine.IO endpoint. */
export function enginePath(transport: "websocket" | "polling", sid?: string): string {
  const base = `/socket.io/?EIO=4&transport=${transport}`;
  return sid === undefined ? base : `${base}&sid=${encodeURIComponent(sid)}`;
}

const PADDING = "x".repeat(4096);

/**
 * The JSON object of one broadcast: `{"seq":…,"t":…,"pad":"xx…"}` padded to about
 * `bytes` of JSON. `t` is the send time (performance.timeOrigin + now(), ms).
 */
export function broadcastPayload(seq: number, t: number, bytes: number): Record<string, unknown> {
  const head = 30;
  return { seq, t, pad: PADDING.slice(0, Math.max(0, bytes - head)) };
}

const T_KEY = '"t":';

/** The `t` field of a broadcast frame (`42["tick",{"seq":…,"t":…`), without parsing the JSON. */
export function sentAt(frame: string): number {
  const at = frame.indexOf(T_KEY);
  if (at === -1) return Number.NaN;
  const start = at + T_KEY.length;
  const end = frame.indexOf(",", start);
  return Number(frame.slice(start, end));
}

/** `42<id>["echo",<json>]`: an event that asks for an ack. */
export function echoPacket(id: number, json: string): string {
  return `42${id}["echo",${json}]`;
}

/** The ack id of `43<id>[…]`, or -1. */
export function ackId(packet: string): number {
  if (packet.charCodeAt(0) !== EIO.MESSAGE || packet.charCodeAt(1) !== SIO.ACK) return -1;
  const end = packet.indexOf("[", 2);
  return end === -1 ? -1 : Number(packet.slice(2, end));
}

/** The `sid` of an Engine.IO open packet `0{"sid":…}`. */
export function openSid(packet: string): string {
  return (JSON.parse(packet.slice(1)) as { sid: string }).sid;
}

/** Latency summary of one run, ms. */
export interface Latency {
  p50: number;
  p99: number;
  count: number;
}

/** p50/p99 of the first `count` samples (nearest rank); sorts in place. */
export function latencyOf(samples: Float64Array, count: number): Latency {
  const sorted = samples.subarray(0, count).sort();
  const at = (q: number): number =>
    count === 0
      ? Number.NaN
      : (sorted[Math.min(count - 1, Math.ceil(q * count) - 1)] ?? Number.NaN);
  return { p50: at(0.5), p99: at(0.99), count };
}
