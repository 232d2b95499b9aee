// The error of a client that broke RFC 6455 on the built-in WebSocket path. It is the `cause` of
// the `transport error` that closes the session ("websocket error", as with `ws`); `reason` is the
// name `ws` gives the same fault (its `code`), so logs read the same with either engine.
import { type FrameFaultReason, SwitchyardError } from "@switchyard/protocol";
import { ServerErrorCode } from "../../engine/errors.js";

/**
 * Why a client's frames were refused (`ws`'s code names for the same faults): the frame faults
 * @switchyard/protocol reports (RSV bits, opcode, FIN and length of control frames, a length above
 * 2^53 - 1, close status, UTF-8), or one of these.
 */
export type WebSocketProtocolErrorReason =
  | FrameFaultReason
  | "WS_ERR_EXPECTED_MASK"
  | "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"
  | "WS_ERR_TOO_MANY_BUFFERED_PARTS";

/** A client broke WebSocket framing; the connection is failed with close status `closeCode`. */
export class WebSocketProtocolError extends SwitchyardError {
  /** `ws`'s name for the fault. */
  readonly reason: WebSocketProtocolErrorReason;
  /** The close status sent to the client: 1002, 1007, 1008 or 1009. */
  readonly closeCode: number;

  constructor(reason: WebSocketProtocolErrorReason, message: string, closeCode: number) {
    super(ServerErrorCode.ENGINE_WEBSOCKET_PROTOCOL, message);
    this.reason = reason;
    this.closeCode = closeCode;
  }
}
