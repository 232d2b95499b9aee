// Public API of @switchyard/adapter-redis: every name listed by hand.
import type { AdapterConstructor, AdapterContract, AdapterNamespace } from "@switchyard/server";
import { busClientOf, type RedisClient } from "./clients/wrap.js";
import { RedisAdapterError, RedisAdapterErrorCode } from "./errors.js";
import { checkOfficialOptions } from "./official/official-receiver.js";
import type { RedisAdapterOptions } from "./options.js";
import { RedisAdapter } from "./redis-adapter.js";
import { RedisBus } from "./redis-bus.js";

export { channelFor, namespaceTag } from "./channels.js";
export type { BusClient, ClientEvents, CommandArg, Settled } from "./clients/bus-client.js";
export type { IoRedisClient } from "./clients/ioredis-client.js";
export type { NodeRedisClient } from "./clients/node-redis-client.js";
export type { RedisClient } from "./clients/wrap.js";
export { busClientOf } from "./clients/wrap.js";
export type { EmitterOptions } from "./emitter.js";
export { BroadcastEmitter, Emitter } from "./emitter.js";
export {
  RedisAdapterDeprecatedErrorCode,
  RedisAdapterError,
  RedisAdapterErrorCode,
} from "./errors.js";
export {
  officialBroadcastChannel,
  officialBroadcastPattern,
  officialRequestChannel,
} from "./official/official-channels.js";
export type { OfficialDropReason } from "./official/official-message.js";
export type {
  OfficialCounters,
  OfficialEmittersOptions,
} from "./official/official-receiver.js";
export type { RedisAdapterOptions, RedisChannelOptions } from "./options.js";
export { DEFAULT_KEY } from "./options.js";
export type { RetryCounters, RetryOptions } from "./ordered-retry.js";
export { OrderedRetry } from "./ordered-retry.js";
export { RedisAdapter } from "./redis-adapter.js";
export type { RedisHistoryOptions } from "./redis-history.js";
export { RedisHistory } from "./redis-history.js";

/** This package's release line. */
export const version: string = "0.1.0";

/**
 * The `adapter` option of a Server: rooms, broadcasts, acks and queries across every server
 * sharing the Redis instance (or cluster). `subClient` is put in subscriber mode: give it a
 * dedicated connection (e.g. `pubClient.duplicate()`). ioredis (`Redis`, `Cluster`) or
 * node-redis 4/5 (`createClient`, `createCluster`, connected) clients.
 * @example
 * const pub = new Redis(url);
 * const io = new Server(httpServer, { adapter: createAdapter(pub, pub.duplicate()) });
 * @example
 * const pub = await createClient({ url }).connect();
 * const io = new Server(httpServer, { adapter: createAdapter(pub, await pub.duplicate().connect()) });
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
  checkOfficialOptions(options.officialEmitters);
  const bus = new RedisBus(
    busClientOf(pubClient),
    busClientOf(subClient),
    options.sharded ?? false,
    options.retry,
  );
  return (nsp: AdapterNamespace): AdapterContract => new RedisAdapter(nsp, bus, options);
}
