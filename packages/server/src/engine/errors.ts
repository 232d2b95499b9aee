// Typed errors of @switchyard/server. Every code here is listed in docs/errors.md.
// Peer input never throws these: handshake failures become HTTP answers, session faults close reasons.
import { SwitchyardError } from "@switchyard/protocol";

/** The official Engine.IO handshake error numbers (`Server.errors`, docs/protocol.md §1.5). */
export const EngineErrorNumber = {
  UNKNOWN_TRANSPORT: 0,
  UNKNOWN_SID: 1,
  BAD_HANDSHAKE_METHOD: 2,
  BAD_REQUEST: 3,
  FORBIDDEN: 4,
  UNSUPPORTED_PROTOCOL_VERSION: 5,
} as const;

/** One of the official Engine.IO handshake error numbers, 0–5. */
export type EngineErrorNumber = (typeof EngineErrorNumber)[keyof typeof EngineErrorNumber];

/** The generic message of each handshake error number (`Server.errorMessages`). */
export const EngineErrorMessage: Readonly<Record<EngineErrorNumber, string>> = {
  0: "Transport unknown",
  1: "Session ID unknown",
  2: "Bad handshake method",
  3: "Bad request",
  4: "Forbidden",
  5: "Unsupported protocol version",
};

/** Stable codes of the server package. */
export const ServerErrorCode = {
  /** Handshake error 0: the `transport` query parameter is missing or not enabled. */
  ENGINE_UNKNOWN_TRANSPORT: "SY_ERR_ENGINE_UNKNOWN_TRANSPORT",
  /** Handshake error 1: the `sid` is not a live session. */
  ENGINE_UNKNOWN_SID: "SY_ERR_ENGINE_UNKNOWN_SID",
  /** Handshake error 2: a handshake (no sid) with a method other than GET. */
  ENGINE_BAD_HANDSHAKE_METHOD: "SY_ERR_ENGINE_BAD_HANDSHAKE_METHOD",
  /** Handshake error 3: see the context name (INVALID_ORIGIN, TRANSPORT_MISMATCH, …). */
  ENGINE_BAD_REQUEST: "SY_ERR_ENGINE_BAD_REQUEST",
  /** Handshake error 4: `allowRequest` refused the handshake. */
  ENGINE_FORBIDDEN: "SY_ERR_ENGINE_FORBIDDEN",
  /** Handshake error 5: `EIO` is not 4 (EIO3 is not supported). */
  ENGINE_UNSUPPORTED_PROTOCOL_VERSION: "SY_ERR_ENGINE_UNSUPPORTED_PROTOCOL_VERSION",
  /** A public API was called with an invalid argument or option. */
  INVALID_ARGUMENT: "SY_ERR_SERVER_INVALID_ARGUMENT",
  /** The transport failed (overlapping polls, aborted poll, invalid content, write error…). */
  ENGINE_TRANSPORT_ERROR: "SY_ERR_ENGINE_TRANSPORT_ERROR",
  /** A WebSocket client broke RFC 6455 framing (the cause of a `transport error`). */
  ENGINE_WEBSOCKET_PROTOCOL: "SY_ERR_ENGINE_WEBSOCKET_PROTOCOL",
  /** A session's unsent data passed `maxBufferedBytesHard`: it was closed. */
  ENGINE_WRITE_BUFFER_OVERFLOW: "SY_ERR_ENGINE_WRITE_BUFFER_OVERFLOW",
  /** A handshake over an `addressLimits` bound (connections or handshakes per second): 429. */
  ENGINE_TOO_MANY_REQUESTS: "SY_ERR_ENGINE_TOO_MANY_REQUESTS",
} as const;

/** One of the stable codes of the server package. */
export type ServerErrorCode = (typeof ServerErrorCode)[keyof typeof ServerErrorCode];

const CODE_BY_NUMBER: Readonly<Record<EngineErrorNumber, ServerErrorCode>> = {
  0: ServerErrorCode.ENGINE_UNKNOWN_TRANSPORT,
  1: ServerErrorCode.ENGINE_UNKNOWN_SID,
  2: ServerErrorCode.ENGINE_BAD_HANDSHAKE_METHOD,
  3: ServerErrorCode.ENGINE_BAD_REQUEST,
  4: ServerErrorCode.ENGINE_FORBIDDEN,
  5: ServerErrorCode.ENGINE_UNSUPPORTED_PROTOCOL_VERSION,
};

/** Extra facts about a refused handshake, as in the official `connection_error` context. */
export interface HandshakeErrorContext {
  name?: string;
  message?: string;
  [key: string]: unknown;
}

/** A request refused during verification or handshake; answered with 400/403 (or a raw 400). */
export class HandshakeError extends SwitchyardError {
  /** The official Engine.IO error number sent to the client. */
  readonly engineCode: EngineErrorNumber;
  readonly context: HandshakeErrorContext;

  constructor(
    engineCode: EngineErrorNumber,
    context: HandshakeErrorContext = {},
    code: ServerErrorCode = CODE_BY_NUMBER[engineCode],
  ) {
    super(code, EngineErrorMessage[engineCode]);
    this.engineCode = engineCode;
    this.context = context;
  }

  /** HTTP status of the polling answer: 403 for FORBIDDEN, 400 otherwise. */
  get status(): 400 | 403 | 429 {
    return this.engineCode === EngineErrorNumber.FORBIDDEN ? 403 : 400;
  }

  /** Message shown to the client: the `allowRequest` text for FORBIDDEN, else the generic one. */
  get clientMessage(): string {
    if (this.engineCode === EngineErrorNumber.FORBIDDEN) {
      const custom = this.context.message;
      return typeof custom === "string" && custom.length > 0 ? custom : this.message;
    }
    return this.message;
  }
}

/**
 * A handshake refused by `addressLimits`: code 4 (as an `allowRequest` refusal) with the reason
 * as its message, answered `429 Too Many Requests` with `Retry-After: 1` (polling and upgrades).
 * `context.name` is `TOO_MANY_CONNECTIONS` or `HANDSHAKE_RATE`; `context.address` the client.
 */
export class TooManyRequestsError extends HandshakeError {
  constructor(reason: "connections" | "handshake-rate", address: string) {
    const connections = reason === "connections";
    super(
      EngineErrorNumber.FORBIDDEN,
      {
        name: connections ? "TOO_MANY_CONNECTIONS" : "HANDSHAKE_RATE",
        message: connections
          ? "Too many connections from this address"
          : "Too many handshakes from this address",
        address,
      },
      ServerErrorCode.ENGINE_TOO_MANY_REQUESTS,
    );
  }

  override get status(): 429 {
    return 429;
  }
}

/** A programmer error at the public API (bad option value). Thrown synchronously. */
export class InvalidArgumentError extends SwitchyardError {
  constructor(message: string) {
    super(ServerErrorCode.INVALID_ARGUMENT, message);
  }
}

/**
 * Why a transport failed; passed as the `description` of a `transport error` close and emitted
 * as the transport's `error` event. `type` and `description` are those of the official error.
 */
export class TransportError extends SwitchyardError {
  /** Always "TransportError", as on the official transport errors. */
  readonly type: "TransportError" = "TransportError";
  /** What caused it (the socket error), when known. */
  readonly description: unknown;

  constructor(message: string, options?: ErrorOptions) {
    super(ServerErrorCode.ENGINE_TRANSPORT_ERROR, message, options);
    this.description = options?.cause;
  }
}
