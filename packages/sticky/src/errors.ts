// Typed errors of @switchyard/sticky. Every code here is listed in docs/errors.md.
// Peer input never throws these: bad requests are answered on the wire (400/408/431/502/503).
import { SwitchyardError } from "@switchyard/server";

/** Stable codes of the sticky package. */
export const StickyErrorCode = {
  /** A public API was called with an invalid option (bad port, duplicate upstream id…). */
  INVALID_ARGUMENT: "SY_ERR_STICKY_INVALID_ARGUMENT",
  /** Two upstreams or workers have node ids whose 4-character sid tags collide. */
  TAG_COLLISION: "SY_ERR_STICKY_TAG_COLLISION",
  /** `setupPrimary()` outside a cluster primary, or `setupWorker()` outside a sticky worker. */
  WRONG_PROCESS: "SY_ERR_STICKY_WRONG_PROCESS",
  /** The listener could not bind (port in use, permission denied). */
  LISTEN_FAILED: "SY_ERR_STICKY_LISTEN_FAILED",
} as const;

/** One of the stable codes of the sticky package. */
export type StickyErrorCode = (typeof StickyErrorCode)[keyof typeof StickyErrorCode];

/** Base class of the sticky package's errors: a stable `code` and an optional `cause`. */
export class StickyError extends SwitchyardError {
  declare readonly code: StickyErrorCode;

  constructor(code: StickyErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** A programmer error at the public API (bad option value). Thrown synchronously. */
export class InvalidArgumentError extends StickyError {
  constructor(message: string) {
    super(StickyErrorCode.INVALID_ARGUMENT, message);
  }
}
