// The public types of a socket: disconnect reasons, reserved events, packet-middleware events,
// and the per-emit flags.

/** Why a socket disconnected (the values socket.io 4.8 reports). */
export type DisconnectReason =
  | "transport error"
  | "transport close"
  | "forced close"
  | "ping timeout"
  | "parse error"
  | "server shutting down"
  | "forced server close"
  | "client namespace disconnect"
  | "server namespace disconnect"
  // switchyard: the socket sent events faster than `eventRateLimit` allows.
  | "event rate limit exceeded";

/** An incoming event as seen by packet middlewares: `[name, ...args]`. */
// biome-ignore lint/suspicious/noExplicitAny: event arguments are user-defined (socket.io's Event)
export type Event = [string, ...any[]];

/** Reserved events of a socket. */
export interface SocketReservedEventsMap {
  disconnect: (reason: DisconnectReason, description?: unknown) => void;
  disconnecting: (reason: DisconnectReason, description?: unknown) => void;
  error: (err: Error) => void;
}

/** Modifiers of the next emit of a socket. */
export interface SocketFlags {
  volatile?: boolean;
  compress?: boolean;
  timeout?: number;
}
