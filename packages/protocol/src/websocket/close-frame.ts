// The payload of a close frame (RFC 6455 §5.5.1, §7.4): nothing, or a two-byte status and a UTF-8
// reason. Checked as `ws` checks it, so that either receiver refuses what `ws` refuses.
import { type FrameFault, frameFault } from "./fault.js";

/**
 * Whether a peer may send close status `code`: 1000–1014 but for 1004 (reserved), 1005 and 1006
 * (never sent: they stand for "no status" and "closed abnormally"), as the IANA registry and `ws`
 * have it, and 3000–4999 (registered and private use).
 */
export function isValidCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  );
}

/**
 * The status of a whole close frame's payload (1005, "no status", when it is empty), or its
 * refusal: a status a peer may not send (1002), a reason (the bytes after the status) that is not
 * UTF-8 by `isUtf8` (1007; the runtime's validator, e.g. node:buffer's). The payload's length is
 * not 1: `checkFrameStart` refuses such a frame.
 */
export function readCloseStatus(
  payload: Uint8Array,
  isUtf8: (bytes: Uint8Array) => boolean,
): number | FrameFault {
  if (payload.length === 0) return 1005;
  const code = ((payload[0] as number) << 8) | (payload[1] as number);
  if (!isValidCloseCode(code)) {
    return frameFault("WS_ERR_INVALID_CLOSE_CODE", `invalid status code ${code}`);
  }
  if (!isUtf8(payload.subarray(2))) {
    return frameFault("WS_ERR_INVALID_UTF8", "invalid UTF-8 sequence", 1007);
  }
  return code;
}
