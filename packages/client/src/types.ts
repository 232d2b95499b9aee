// Event-map typing shared by Socket and io(): the socket.io-client type surface.

/** The untyped event map: any event name, any arguments (socket.io-client's DefaultEventsMap). */
export interface DefaultEventsMap {
  // biome-ignore lint/suspicious/noExplicitAny: drop-in typing; users narrow it with their own map
  [event: string]: (...args: any[]) => void;
}

/** Why a socket disconnected. */
export type DisconnectReason =
  | "io server disconnect"
  | "io client disconnect"
  | "ping timeout"
  | "transport close"
  | "transport error"
  | "parse error";

/** The first argument of an ack callback: what emitWithAck resolves to. */
export type AckResult<F> = F extends (...args: infer A) => unknown
  ? A extends [...unknown[], (response: infer R, ...rest: never[]) => unknown]
    ? R
    : A extends Array<infer X>
      ? X
      : unknown
  : unknown;
