// Errors of @switchyard/adapter-redis. Every code here is listed in docs/errors.md.
import { AdapterError } from "@switchyard/server";

/** Stable codes of the Redis adapter package (`SY_ERR_ADAPTER_REDIS_*`). */
export const RedisAdapterErrorCode = {
  /** A Redis client reported an error (connection lost, command refused…); forwarded as 'error'. */
  CLIENT_ERROR: "SY_ERR_ADAPTER_REDIS_CLIENT_ERROR",
  /** An invalid argument: the same client as pub and sub, a reserved event name / an ack given to the Emitter, an official-format Emitter with sharded/recovery, sharded pub/sub on node-redis < 4.6. */
  INVALID_ARGUMENT: "SY_ERR_ADAPTER_REDIS_INVALID_ARGUMENT",
} as const;

/** One of the stable codes of the Redis adapter package. */
export type RedisAdapterErrorCode =
  (typeof RedisAdapterErrorCode)[keyof typeof RedisAdapterErrorCode];

/**
 * The codes of this package before the `SY_ERR_<PACKAGE>_<WHAT>` scheme, each with the code that
 * replaced it (errors now carry the new one). For code and dashboards that still match the old
 * strings: `RedisAdapterDeprecatedErrorCode[code] ?? code`.
 * @deprecated match `RedisAdapterErrorCode` instead.
 */
export const RedisAdapterDeprecatedErrorCode: {
  readonly SY_ERR_REDIS_CLIENT_ERROR: typeof RedisAdapterErrorCode.CLIENT_ERROR;
  readonly SY_ERR_REDIS_INVALID_ARGUMENT: typeof RedisAdapterErrorCode.INVALID_ARGUMENT;
} = {
  SY_ERR_REDIS_CLIENT_ERROR: RedisAdapterErrorCode.CLIENT_ERROR,
  SY_ERR_REDIS_INVALID_ARGUMENT: RedisAdapterErrorCode.INVALID_ARGUMENT,
};

/** An error of the Redis binding. */
export class RedisAdapterError extends AdapterError {
  constructor(code: RedisAdapterErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
