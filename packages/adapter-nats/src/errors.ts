// Errors of @switchyard/adapter-nats. Every code here is listed in docs/errors.md.
import { AdapterError } from "@switchyard/server";

/** Stable codes of the NATS adapter package. */
export const NatsAdapterErrorCode = {
  /** A publish was refused because the connection is down (core NATS would discard it). */
  DISCONNECTED: "SY_ERR_ADAPTER_NATS_DISCONNECTED",
  /** The NATS connection reported an error (permissions violation, slow consumer, auth…). */
  CONNECTION_ERROR: "SY_ERR_ADAPTER_NATS_CONNECTION_ERROR",
  /** The NATS connection closed for good (reconnect attempts exhausted, or closed by its owner). */
  CONNECTION_CLOSED: "SY_ERR_ADAPTER_NATS_CONNECTION_CLOSED",
  /** An invalid argument: a bad subject prefix, a reserved event name or an ack for the Emitter. */
  INVALID_ARGUMENT: "SY_ERR_ADAPTER_NATS_INVALID_ARGUMENT",
  /**
   * `connectionStateRecovery` is on but the history could not be opened in JetStream (JetStream
   * off, no permission on `$JS.API.>`, or the stream refused): this node runs without recovery.
   */
  HISTORY_UNAVAILABLE: "SY_ERR_ADAPTER_NATS_HISTORY_UNAVAILABLE",
  /** A history read did not complete in time (a session restore then gives a new session). */
  HISTORY_READ_TIMEOUT: "SY_ERR_ADAPTER_NATS_HISTORY_READ_TIMEOUT",
} as const;

/** One of the stable codes of the NATS adapter package. */
export type NatsAdapterErrorCode = (typeof NatsAdapterErrorCode)[keyof typeof NatsAdapterErrorCode];

/** An error of the NATS binding (emitted as 'error' on the adapters, or thrown for bad input). */
export class NatsAdapterError extends AdapterError {
  constructor(code: NatsAdapterErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
