// Errors of @switchyard/adapter-redis. Every code here is listed in docs/errors.md.
import { AdapterError } from "@switchyard/server";

/** Stable codes of the Redis adapter package. */
export const RedisAdapterErrorCode = {
  /** A Redis client reported an error (connection lost, command refused…); forwarded as 'error'. */
  CLIENT_ERROR: "SY_ERR_REDIS_CLIENT_ERROR",
  /** An invalid argument: the same client as pub and sub, or a reserved event name / an ack given to the Emitter. */
  INVALID_ARGUMENT: "SY_ERR_REDIS_INVALID_ARGUMENT",
} as const;

/** One of the stable codes of the Redis adapter package. */
export type RedisAdapterErrorCode =
  (typeof RedisAdapterErrorCode)[keyof typeof RedisAdapterErrorCode];

/** An error of the Redis binding. */
export class RedisAdapterError extends AdapterError {
  constructor(code: RedisAdapterErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
