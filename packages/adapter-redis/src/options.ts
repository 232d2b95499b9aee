// Options of the Redis adapter and emitter, with their defaults.
import type { ClusterAdapterOptions } from "@switchyard/server";
import type { OfficialEmittersOptions } from "./official/official-receiver.js";
import type { RetryOptions } from "./ordered-retry.js";
import type { RedisHistoryOptions } from "./redis-history.js";

/** Options shared by the adapter and the emitter: where the channels live. */
export interface RedisChannelOptions {
  /**
   * Prefix of every channel name. Adapters and emitters must use the same one.
   * @default "socket.io"
   */
  key?: string;
  /**
   * Use sharded pub/sub (SPUBLISH/SSUBSCRIBE, Redis ≥ 7.0). With an ioredis `Cluster`, create it
   * with `shardedSubscribers: true`.
   * @default false
   */
  sharded?: boolean;
  /**
   * Route single-room operations through one channel per room, so that only the nodes with
   * members in the room receive them. Adapters and emitters must agree.
   * @default true
   */
  roomChannels?: boolean;
}

/** Options of `createAdapter`: channel options plus the cluster options (timeouts, heartbeat). */
export interface RedisAdapterOptions extends RedisChannelOptions, ClusterAdapterOptions {
  /**
   * Bounds of the recovery history, used when the Server has `connectionStateRecovery` (then the
   * history, the session records and the channels of each namespace live under its hash tag
   * `{<key>#<nsp>}`, on one Redis Cluster slot). See docs/recovery.md.
   */
  history?: RedisHistoryOptions;
  /**
   * How publishes (and history writes) ride out an outage such as a Redis Cluster failover: held
   * in order and retried for up to `timeoutMs` (default 15000), at most `maxQueued` (default
   * 10000) at once. See docs/deployment-redis.md.
   */
  retry?: RetryOptions;
  /**
   * Also receive what the official emitters publish (@socket.io/redis-emitter and its PHP,
   * Python, Go… ports: broadcasts, socketsJoin/Leave, disconnectSockets, serverSideEmit), on
   * their channels `<key>#<nsp>#…` and `<key>-request#<nsp>#` (classic pub/sub, also in sharded
   * mode). Counted in `adapter.officialEmitters`; malformed messages are dropped and counted.
   * `false` leaves those channels alone; an object sets the limits.
   * @default true
   */
  officialEmitters?: boolean | OfficialEmittersOptions;
}

/** Default channel prefix (as @socket.io/redis-adapter). */
export const DEFAULT_KEY = "socket.io";
