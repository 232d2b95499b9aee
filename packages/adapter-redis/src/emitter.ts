// Emitter: publishes cluster messages from a process that is not a Socket.IO server (worker,
// cron) into the channels the Redis adapters listen on, as node id "emitter" (never a member).
// The message building is ClusterEmitter's (@switchyard/server); this binds Redis channels.
import {
  BoundClusterEmitter,
  type ClusterEmitterScope,
  type ClusterMessage,
  type ClusterTarget,
  encodeClusterMessage,
  RECOVERY_DEFAULTS,
} from "@switchyard/server";
import { channelFor } from "./channels.js";
import { RedisAdapterError, RedisAdapterErrorCode } from "./errors.js";
import { DEFAULT_KEY, type RedisChannelOptions } from "./options.js";
import { OrderedRetry, type RetryOptions } from "./ordered-retry.js";
import type { RedisClient } from "./redis-bus.js";
import { RedisHistory, type RedisHistoryOptions } from "./redis-history.js";

/** Options of the Emitter: the adapters' channel options, plus where publish errors go. */
export interface EmitterOptions extends RedisChannelOptions {
  /** Called when a publish fails (default: ignored, so that emit never rejects). */
  onError?: (error: RedisAdapterError) => void;
  /**
   * Set when the servers run with `connectionStateRecovery`: the emitter then uses the same
   * channels as their adapters and writes its events (not volatile) into the history, so that a
   * returning client gets them too. `maxDisconnectionDuration` must be the servers' (the history's
   * time to live follows it).
   * @default false
   */
  recovery?: boolean | { maxDisconnectionDuration?: number };
  /** Bounds of the history (recovery on), as the adapters' `history` option. */
  history?: RedisHistoryOptions;
  /** How history writes ride out an outage (recovery on), as the adapters' `retry` option. */
  retry?: RetryOptions;
}

interface Publisher {
  readonly client: RedisClient;
  readonly options: EmitterOptions;
  readonly nsp: string;
  /** The namespace's history, with recovery on. */
  readonly history: RedisHistory | undefined;
}

/**
 * An immutable broadcast target of an Emitter (`emitter.to("room").except("x")`).
 * `emit` and `serverSideEmit` throw RedisAdapterError (`SY_ERR_ADAPTER_REDIS_INVALID_ARGUMENT`) for a
 * reserved name or an ack.
 */
export class BroadcastEmitter extends BoundClusterEmitter<Publisher, BroadcastEmitter> {
  protected derive({ rooms, except, flags }: ClusterEmitterScope): BroadcastEmitter {
    return new BroadcastEmitter(this.binding, rooms, except, flags);
  }

  protected publish(target: ClusterTarget, message: ClusterMessage, ordered: boolean): void {
    const { client, options, nsp, history } = this.binding;
    const payload = Buffer.from(encodeClusterMessage(message));
    const channel = channelFor(options.key ?? DEFAULT_KEY, nsp, target, history !== undefined);
    let publishing: Promise<unknown>;
    if (ordered && history !== undefined) publishing = history.append(target, payload);
    else if (options.sharded === true) publishing = client.spublish(channel, payload);
    else publishing = client.publish(channel, payload);
    publishing.catch((cause: unknown) => {
      const error = new RedisAdapterError(
        RedisAdapterErrorCode.CLIENT_ERROR,
        "emitter publish failed",
        { cause },
      );
      options.onError?.(error);
    });
  }

  protected invalid(message: string): RedisAdapterError {
    return new RedisAdapterError(RedisAdapterErrorCode.INVALID_ARGUMENT, message);
  }

  protected override get noAcksMessage(): string {
    return "the Emitter does not support acks";
  }
}

/**
 * Emits into a Redis-backed switchyard cluster from any Node process.
 * @example
 * const emitter = new Emitter(new Redis(url));
 * emitter.to("room1").emit("news", { headline: "…" });
 * emitter.of("/admin").serverSideEmit("reload");
 */
export class Emitter extends BroadcastEmitter {
  constructor(client: RedisClient, options: EmitterOptions = {}, nsp = "/") {
    super({ client, options, nsp, history: historyOf(client, options, nsp) });
  }

  /** An emitter for another namespace. */
  of(nsp: string): Emitter {
    const { client, options } = this.binding;
    return new Emitter(client, options, nsp.startsWith("/") ? nsp : `/${nsp}`);
  }
}

function historyOf(
  client: RedisClient,
  options: EmitterOptions,
  nsp: string,
): RedisHistory | undefined {
  const recovery = options.recovery;
  if (recovery === undefined || recovery === false) return undefined;
  const maxDisconnectionMs =
    (recovery === true ? undefined : recovery.maxDisconnectionDuration) ??
    RECOVERY_DEFAULTS.maxDisconnectionDuration;
  const key = options.key ?? DEFAULT_KEY;
  return new RedisHistory(
    client,
    new OrderedRetry(options.retry),
    options.sharded === true,
    key,
    nsp,
    maxDisconnectionMs,
    options.history,
  );
}
