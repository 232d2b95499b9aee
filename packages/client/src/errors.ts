// Errors the client reports. Messages match socket.io-client 4.8 word for word (users match on
// them); each error also carries a stable `code`, listed in docs/errors.md.
import { SwitchyardError } from "@switchyard/protocol";

/**
 * Stable codes of the client package. Client code writes the literal (typed by ClientErrorCode),
 * so browser bundles that never read this object leave it out.
 */
export const ClientErrorCode = {
  /** An HTTP request or WebSocket failed ("xhr poll error", "xhr post error", "websocket error"). */
  TRANSPORT: "SY_ERR_CLIENT_TRANSPORT",
  /** An upgrade probe failed ("probe error"); the connection stays on its current transport. */
  PROBE_FAILED: "SY_ERR_CLIENT_PROBE_FAILED",
  /** The Manager did not open within `timeout` ms ("timeout"). */
  CONNECT_TIMEOUT: "SY_ERR_CLIENT_CONNECT_TIMEOUT",
  /** An ack did not arrive within `timeout()`/`ackTimeout` ("operation has timed out"). */
  ACK_TIMEOUT: "SY_ERR_CLIENT_ACK_TIMEOUT",
  /** The socket disconnected while an ack was pending ("socket has been disconnected"). */
  DISCONNECTED: "SY_ERR_CLIENT_DISCONNECTED",
  /** The server refused the namespace CONNECT (middleware error or invalid namespace). */
  CONNECT_REFUSED: "SY_ERR_CLIENT_CONNECT_REFUSED",
  /** The CONNECT reply had no sid: a Socket.IO v2 server. */
  V2_SERVER: "SY_ERR_CLIENT_V2_SERVER",
  /** `emit()` with a reserved event name. */
  RESERVED_EVENT_NAME: "SY_ERR_CLIENT_RESERVED_EVENT_NAME",
} as const;

/** One of the client's error codes. */
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** An error raised or reported by the client. */
export class ClientError extends SwitchyardError {
  declare readonly code: ClientErrorCode;
  /** For CONNECT_REFUSED: the `data` the server attached to the error. */
  data?: unknown;

  constructor(code: ClientErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    // Literal, not new.target.name: minified browser bundles rename classes.
    this.name = "ClientError";
  }
}

/** A transport failure, shaped like engine.io-client's TransportError. */
export class TransportError extends ClientError {
  readonly type = "TransportError";
  /** HTTP status, close event or underlying error. */
  readonly description: unknown;
  /** Extra context (the failed request), when known. */
  readonly context: unknown;

  constructor(message: string, description: unknown, context?: unknown) {
    super("SY_ERR_CLIENT_TRANSPORT", message);
    this.name = "TransportError";
    this.description = description;
    this.context = context;
  }
}
