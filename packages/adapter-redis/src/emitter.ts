// Emitter: publishes cluster messages from a process that is not a Socket.IO server (worker,
// cron) into the channels the Redis adapters listen on, as node id "emitter" (never a member).
// The message building is ClusterEmitter's (@switchyard/server); this binds Redis channels.
import {
  BoundClusterEmitter,
  type ClusterEmitterScope,
  type ClusterMessage,
  type ClusterTarget,
  encodeClusterMessage,
} from "@switchyard/server";
import { channelFor } from "./channels.js";
import { RedisAdapterError, RedisAdapterErrorCode } from "./errors.js";
import { DEFAULT_KEY, type RedisChannelOptions } from "./options.js";
import type { RedisClient } from "./redis-bus.js";

/** Options of the Emitter: the adapters' channel options, plus where publish errors go. */
export interface EmitterOptions extends RedisChannelOptions {
  /** Called when a publish fails (default: ignored, so that emit never rejects). */
  onError?: (error: RedisAdapterError) => void;
}

interface Publisher {
  readonly client: RedisClient;
  readonly options: EmitterOptions;
  readonly nsp: string;
}

/**
 * An immutable broadcast target of an Emitter (`emitter.to("room").except("x")`).
 * `emit` and `serverSideEmit` throw RedisAdapterError (`SY_ERR_REDIS_INVALID_ARGUMENT`) for a
 * reserved name or an ack.
 */
export class BroadcastEmitter extends BoundClusterEmitter<Publisher, BroadcastEmitter> {
  protected derive({ rooms, except, flags }: ClusterEmitterScope): BroadcastEmitter {
    return new BroadcastEmitter(this.binding, rooms, except, flags);
  }

  protected publish(target: ClusterTarget, message: ClusterMessage): void {
    const { client, options, nsp } = this.binding;
    const payload = Buffer.from(encodeClusterMessage(message));
    const channel = channelFor(options.key ?? DEFAULT_KEY, nsp, target);
    const publishing =
      options.sharded === true
        ? client.spublish(channel, payload)
        : client.publish(channel, payload);
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
    super({ client, options, nsp });
  }

  /** An emitter for another namespace. */
  of(nsp: string): Emitter {
    const { client, options } = this.binding;
    return new Emitter(client, options, nsp.startsWith("/") ? nsp : `/${nsp}`);
  }
}
