// Errors of the lean Node WebSocket client (ws-client.ts). They carry the codes and
// messages of the `ws` package, so an `error` event's `error` reads the same whichever of the two
// the Node platform picked; a protocol error also carries the close status sent to the server.
import type { FrameFaultReason } from "@switchyard/protocol";

/**
 * Why the server's frames were refused (the `ws` code names): the frame faults
 * @switchyard/protocol reports (RSV bits, opcode, FIN and length of control frames, a length above
 * 2^53 - 1, close status, UTF-8), or one of these.
 */
export type WebSocketProtocolErrorCode =
  | FrameFaultReason
  | "WS_ERR_UNEXPECTED_MASK"
  | "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH";

/** The server broke RFC 6455 framing; the connection fails with `closeCode`. */
export class WebSocketProtocolError extends RangeError {
  readonly code: WebSocketProtocolErrorCode;
  /** The close status sent to the server: 1002, 1007 or 1009. */
  readonly closeCode: number;

  constructor(code: WebSocketProtocolErrorCode, message: string, closeCode: number) {
    super(message);
    this.name = "WebSocketProtocolError";
    this.code = code;
    this.closeCode = closeCode;
  }
}

/** The opening handshake failed: an answer other than a valid 101, or closed while connecting. */
export class WebSocketHandshakeError extends Error {
  readonly code = "WS_ERR_HANDSHAKE";
  /** The HTTP status of the answer, when one arrived. */
  readonly statusCode: number | undefined;

  constructor(message: string, statusCode?: number) {
    super(message);
    this.name = "WebSocketHandshakeError";
    this.statusCode = statusCode;
  }
}
