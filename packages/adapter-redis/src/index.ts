// Public API of @switchyard/adapter-redis: every name listed by hand.
import type { AdapterConstructor, AdapterContract, AdapterNamespace } from "@switchyard/server";
import { RedisAdapterError, RedisAdapterErrorCode } from "./errors.js";
import type { RedisAdapterOptions } from "./options.js";
import { RedisAdapter } from "./redis-adapter.js";
import { RedisBus, type RedisClient } from "./redis-bus.js";

export { channelFor, namespaceTag } from "./channels.js";
export type { EmitterOptions } from "./emitter.js";
export { BroadcastEmitter, Emitter } from "./emitter.js";
export {
  RedisAdapterDeprecatedErrorCode,
  RedisAdapterError,
  RedisAdapterErrorCode,
} from "./errors.js";
export type { RedisAdapterOptions, RedisChannelOptions } from "./options.js";
export { DEFAULT_KEY } from "./options.js";
export type { RetryCounters, RetryOptions } from "./ordered-retry.js";
export { OrderedRetry } from "./ordered-retry.js";
export { RedisAdapter } from "./redis-adapter.js";
export type { RedisClient } from "./redis-bus.js";
export type { RedisHistoryOptions } from "./redis-history.js";
export { RedisHistory } from "./redis-history.js";

/** This package's release line. */
export const version: string = "0.1.0";

/**
 * The `adapter` option of a Server: rooms, broadcasts, acks and queries across every server
 * sharing the Redis instance (or cluster). `subClient` is put in subscriber mode: give it a
 * dedicated connection (e.g. `pubClient.duplicate()`).
 * @example
 * const pub = new Redis(url);
 * const io = new Server(httpServer, { adapter: createAdapter(pub, pub.duplicate()) });
 * @throws RedisAdapterError (`SY_ERR_ADAPTER_REDIS_INVALID_ARGUMENT`) when both clients are the same.
 */
export function createAdapter(
  pubClient: RedisClient,
  subClient: RedisClient,
  options: RedisAdapterOptions = {},
): AdapterConstructor {
  if (pubClient === subClient) {
    throw new RedisAdapterError(
      RedisAdapterErrorCode.INVALID_ARGUMENT,
      "pubClient and subClient must be two connections (use pubClient.duplicate())",
    );
  }
  const bus = new RedisBus(pubClient, subClient, options.sharded ?? false, options.retry);
  return (nsp: AdapterNamespace): AdapterContract => new RedisAdapter(nsp, bus, options);
}
