// The load of the client scenario, shared by its server and client children: event names,
// payloads and the settings the runner passes to each child.

/** The two client stacks under test. */
export type ClientImpl = "switchyard" | "official";

/** Engine.IO transports the scenario drives. */
export type BenchTransport = "websocket" | "polling";

/** Event the server pushes with ~100 bytes of JSON. */
export const TEXT_EVENT = "tick";
/** Event the server pushes with a binary attachment. */
export const BINARY_EVENT = "blob";
/** Event the client emits with an ack callback; the server acks with the same payload. */
export const ECHO_EVENT = "echo";
/** One pushed event in BINARY_EVERY carries a binary attachment. */
export const BINARY_EVERY = 10;

/** A ~100-byte JSON event payload (`["tick",{…}]` is 105 bytes on the wire). */
export function textPayload(seq: number): Record<string, unknown> {
  return { seq, user: "u_4711", room: "lobby", text: "hello there, how is it going?", ok: true };
}

/** The object of the binary event: a name and 256 bytes. */
export function binaryPayload(seq: number, chunk: Uint8Array): Record<string, unknown> {
  return { seq, name: "frame.bin", chunk };
}

/** What the server child answers to "push". */
export interface PushResult {
  /** Events emitted to the room (each reaches every client of it). */
  emitted: number;
}

/** What the client child reports once connected. */
export interface ConnectResult {
  sockets: number;
}
