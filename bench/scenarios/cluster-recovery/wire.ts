// What the cluster-recovery runner and its recovering-client child say to each other.

/** `open`: a named client on `url` in `room`; replies with its CONNECT reply's sid and pid. */
export interface OpenArgs {
  name: string;
  url: string;
  room: string;
}

export interface Connected {
  sid: string;
  /** The private session id (present when the server has connection state recovery on). */
  pid: string | undefined;
}

/** `await`: resolves once client `name` received `count` "m" events since it (re)opened. */
export interface AwaitArgs {
  name: string;
  count: number;
  timeoutMs: number;
}

/** `cut` reply: what the client keeps to come back with, as socket.io-client keeps it. */
export interface CutState {
  pid: string | undefined;
  offset: string | undefined;
  received: number;
}

/**
 * `restore`: client `name` reconnects to `url` (with `room` in its handshake, as before) and
 * sends `{ pid, offset }` in its CONNECT; it is done once the CONNECT reply and `expected` "m"
 * events are in, or `timeoutMs` after the CONNECT reply.
 */
export interface RestoreArgs {
  name: string;
  url: string;
  room: string;
  expected: number;
  timeoutMs: number;
}

export interface RestoreResult {
  /** Reconnect attempt (the WebSocket is created) → CONNECT reply and every expected event, ms. */
  ms: number;
  /** Reconnect attempt → CONNECT reply, ms. */
  connectMs: number;
  /** The CONNECT reply carried the old pid (socket.io-client's `recovered`). */
  recovered: boolean;
  /** The CONNECT reply carried the old sid. */
  sameSid: boolean;
  sid: string;
  /** "m" events received since the reconnect attempt, and how many came before the CONNECT reply. */
  received: number;
  beforeConnect: number;
}

/** `check`: after the end marker arrived, the "m" events since the reconnect against 0…n−1. */
export interface CheckResult {
  received: number;
  /** Sequence numbers of 0…n−1 that never arrived. */
  missing: number;
  /** Events that arrived more than once (or outside 0…n−1). */
  duplicates: number;
  /** Whether they arrived in publish order. */
  inOrder: boolean;
}

/** The event the runner publishes after a restore: every missed event is before it. */
export const END_EVENT = "end";
