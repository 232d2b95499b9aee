// Typed errors of the Socket.IO server layer (connection/, namespace/, socket/, broadcast/,
// adapter/, recovery/). Every code is listed in docs/errors.md. Messages match socket.io 4.8.
import { SwitchyardError } from "@switchyard/protocol";

/** Stable codes of the Socket.IO server layer. */
export const SocketErrorCode = {
  /** `emit()` / `serverSideEmit()` was called with a reserved event name. */
  RESERVED_EVENT_NAME: "SY_ERR_SOCKET_RESERVED_EVENT_NAME",
  /** An acknowledgement did not arrive within the `timeout()` delay. */
  ACK_TIMEOUT: "SY_ERR_SOCKET_ACK_TIMEOUT",
  /** `attach()` / `listen()` was given an Express-style request handler instead of a server. */
  EXPRESS_HANDLER: "SY_ERR_SOCKET_EXPRESS_HANDLER",
  /** `io.httpServer` was read before attach()/listen(): the Server has no HTTP server yet. */
  NOT_ATTACHED: "SY_ERR_SOCKET_NOT_ATTACHED",
  /** An operation that parent (dynamic) namespaces do not support, e.g. `fetchSockets()`. */
  PARENT_NAMESPACE_UNSUPPORTED: "SY_ERR_SOCKET_PARENT_NAMESPACE_UNSUPPORTED",
  /**
   * @deprecated A bad option of the Socket.IO server now throws `InvalidArgumentError`, like any
   * other bad option: one code per mistake. This alias holds that code,
   * `SY_ERR_SERVER_INVALID_ARGUMENT` (`ServerErrorCode.INVALID_ARGUMENT`).
   */
  INVALID_OPTION: "SY_ERR_SERVER_INVALID_ARGUMENT",
} as const;

/** The codes a `SocketError` carries. */
export type SocketErrorCode = Exclude<
  (typeof SocketErrorCode)[keyof typeof SocketErrorCode],
  typeof SocketErrorCode.INVALID_OPTION
>;

/**
 * The codes of this layer before the `SY_ERR_<PACKAGE>_<WHAT>` scheme, each with the code that
 * replaced it (errors now carry the new one): `SocketDeprecatedErrorCode[code] ?? code`.
 * @deprecated match `ServerErrorCode` / `SocketErrorCode` instead.
 */
export const SocketDeprecatedErrorCode: {
  readonly SY_ERR_SOCKET_INVALID_OPTION: typeof SocketErrorCode.INVALID_OPTION;
} = {
  SY_ERR_SOCKET_INVALID_OPTION: SocketErrorCode.INVALID_OPTION,
};

/** An error of the Socket.IO layer; programmer errors (reserved name…) are thrown synchronously. */
export class SocketError extends SwitchyardError {
  declare readonly code: SocketErrorCode;

  constructor(code: SocketErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** An acknowledgement timed out: `"operation has timed out"`, with the responses received so far. */
export class TimeoutError extends SocketError {
  /** Responses received before the deadline (broadcast acks only; empty otherwise). */
  readonly responses: unknown[];

  constructor(responses: unknown[] = []) {
    super(SocketErrorCode.ACK_TIMEOUT, "operation has timed out");
    this.responses = responses;
  }
}

/** The error thrown by `emit()` when the event name is reserved. */
export function reservedEventError(ev: string | symbol): SocketError {
  return new SocketError(
    SocketErrorCode.RESERVED_EVENT_NAME,
    `"${String(ev)}" is a reserved event name`,
  );
}
