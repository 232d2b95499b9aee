// The JetStream failures the history tells apart: a stream that is not there (deleted, or lost
// with a memory-storage restart: it is made again), a name taken by a concurrent creation, and a
// lost compare-and-set (another writer came first).
import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { RequestError } from "@nats-io/nats-core";

/** "stream name already in use with a different configuration". */
export const STREAM_NAME_IN_USE = 10058;

/** Whether `err` is the JetStream API error `code`. */
export function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}

/** "stream not found". */
export function isStreamNotFound(err: unknown): boolean {
  return isApiError(err, JetStreamApiCodes.StreamNotFound);
}

/**
 * Whether a request found no stream: "stream not found", or no responders on the subject (the
 * JetStream client then says "jetstream is not enabled", with the request's error as cause).
 */
export function isNoStream(err: unknown): boolean {
  if (isStreamNotFound(err)) return true;
  const cause = err instanceof Error ? err.cause : undefined;
  return (
    (err instanceof RequestError && err.isNoResponders()) ||
    (cause instanceof RequestError && cause.isNoResponders())
  );
}

/** Whether a conditional write lost: the key's last revision was not the one expected. */
export function isConflict(err: unknown): boolean {
  return (
    isApiError(err, JetStreamApiCodes.StreamWrongLastSequence) ||
    isApiError(err, JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}
