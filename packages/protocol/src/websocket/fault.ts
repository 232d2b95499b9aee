// What a WebSocket receiver refuses in a frame: the shared functions of websocket/ return it (they
// never throw), and each receiver turns it into its own error class and close frame.

/** Why a frame was refused (`ws`'s code names for the same faults). */
export type FrameFaultReason =
  | "WS_ERR_UNEXPECTED_RSV_1"
  | "WS_ERR_UNEXPECTED_RSV_2_3"
  | "WS_ERR_INVALID_OPCODE"
  | "WS_ERR_EXPECTED_FIN"
  | "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH"
  | "WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH"
  | "WS_ERR_INVALID_CLOSE_CODE"
  | "WS_ERR_INVALID_UTF8";

/** A refused frame: `ws`'s name and message for the fault, and the close status to send. */
export interface FrameFault {
  readonly reason: FrameFaultReason;
  readonly message: string;
  /** 1002 (protocol error), 1007 (invalid UTF-8) or 1009 (a length above 2^53 - 1). */
  readonly closeCode: 1002 | 1007 | 1009;
}

/** A fault with close status 1002 (protocol error), unless another is given. */
export function frameFault(
  reason: FrameFaultReason,
  message: string,
  closeCode: FrameFault["closeCode"] = 1002,
): FrameFault {
  return { reason, message, closeCode };
}
