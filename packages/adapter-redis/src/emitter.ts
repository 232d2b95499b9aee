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
import type { BusClient } from "./clients/bus-client.js";
import { busClientOf, type RedisClient } from "./clients/wrap.js";
import { RedisAdapterError, RedisAdapterErrorCode } from "./errors.js";
import { encodeOfficial } from "./official/official-encode.js";
import { DEFAULT_KEY, type RedisChannelOptions } from "./options.js";
import { OrderedRetry, type RetryOptions } from "./ordered-retry.js";
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
  /**
   * `"official"` publishes in the wire format of @socket.io/redis-emitter, for servers that run
   * the official `@socket.io/redis-adapter` (classic pub/sub; not with `sharded` or `recovery`).
   * Our adapters read that format too (their `officialEmitters` option).
   * @default "switchyard"
   */
  format?: "switchyard" | "official";
}

interface Publisher {
  readonly client: BusClient;
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
    const key = options.key ?? DEFAULT_KEY;
    let publishing: Promise<unknown>;
    if (options.format === "official") {
      const { channel, payload } = encodeOfficial(key, message);
      publishing = client.publish(channel, payload, false);
    } else {
      const payload = Buffer.from(encodeClusterMessage(message));
      const channel = channelFor(key, nsp, target, history !== undefined);
      if (ordered && history !== undefined) publishing = history.append(target, payload);
      else publishing = client.publish(channel, payload, options.sharded === true);
    }
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
  readonly #client: RedisClient;

  /**
   * @throws RedisAdapterError (`SY_ERR_ADAPTER_REDIS_INVALID_ARGUMENT`) for `format: "official"`
   * with `sharded` or `recovery` (official nodes have neither).
   */
  constructor(client: RedisClient, options: EmitterOptions = {}, nsp = "/") {
    if (options.format === "official" && (options.sharded === true || isOn(options.recovery))) {
      throw new RedisAdapterError(
        RedisAdapterErrorCode.INVALID_ARGUMENT,
        'format "official" publishes with classic pub/sub and no history: drop sharded and recovery',
      );
    }
    const bus = busClientOf(client);
    super({ client: bus, options, nsp, history: historyOf(bus, options, nsp) });
    this.#client = client;
  }

  /** An emitter for another namespace. */
  of(nsp: string): Emitter {
    return new Emitter(this.#client, this.binding.options, nsp.startsWith("/") ? nsp : `/${nsp}`);
  }
}

function isOn(recovery: EmitterOptions["recovery"]): boolean {
  return recovery !== undefined && recovery !== false;
}

function historyOf(
  client: BusClient,
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
