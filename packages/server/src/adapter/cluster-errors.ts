// Errors of the cluster adapter layer. Every code here is listed in docs/errors.md. Bus failures
// never throw into user code: they are counted and emitted as 'error' on the adapter.
import { SwitchyardError } from "@switchyard/protocol";

/** Stable codes of the cluster adapter layer. */
export const AdapterErrorCode = {
  /** The bus refused or failed a publish; the other nodes missed that message. */
  PUBLISH_FAILED: "SY_ERR_ADAPTER_PUBLISH_FAILED",
  /** A message could not be encoded (e.g. a function or a cyclic value in the data). */
  ENCODE_FAILED: "SY_ERR_ADAPTER_ENCODE_FAILED",
  /** Subscribing to or unsubscribing from a bus channel failed. */
  SUBSCRIBE_FAILED: "SY_ERR_ADAPTER_SUBSCRIBE_FAILED",
  /** A request to the other nodes timed out; `late` names the nodes that did not answer. */
  REQUEST_TIMEOUT: "SY_ERR_ADAPTER_REQUEST_TIMEOUT",
  /** A session restore failed on a store or bus error: the client got a new session. */
  RECOVERY_FAILED: "SY_ERR_ADAPTER_RECOVERY_FAILED",
  /** Writing session records (recovery across nodes) to the bus's store failed. */
  SESSION_STORE_FAILED: "SY_ERR_ADAPTER_SESSION_STORE_FAILED",
  /**
   * `connectionStateRecovery` is on but this adapter's bus keeps no history: sessions are not
   * recovered (write the bus's `history()` or use a switchyard bus).
   */
  RECOVERY_UNSUPPORTED: "SY_ERR_ADAPTER_RECOVERY_UNSUPPORTED",
} as const;

/** One of the stable codes of the cluster adapter layer. */
export type AdapterErrorCode = (typeof AdapterErrorCode)[keyof typeof AdapterErrorCode];

/**
 * A failure of the bus below a cluster adapter (emitted as 'error' on the adapter). Bus packages
 * subclass it with their own codes.
 */
export class AdapterError extends SwitchyardError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** A cluster request timed out: carries what arrived and which nodes were late. */
export class ClusterRequestTimeoutError extends AdapterError {
  /** The responses that arrived before the deadline. */
  readonly responses: unknown[];
  /** The ids of the nodes that did not answer. */
  readonly late: string[];

  constructor(responses: unknown[], late: string[]) {
    super(
      AdapterErrorCode.REQUEST_TIMEOUT,
      `timeout reached: ${late.length} node(s) did not answer (${late.join(", ")})`,
    );
    this.responses = responses;
    this.late = late;
  }
}
