// Emitter: publishes cluster messages from a process that is not a Socket.IO server (worker,
// cron) onto the subjects the NATS adapters listen on, as node id "emitter" (never a member).
// The message building is ClusterEmitter's (@switchyard/server); this binds NATS subjects.
import type { NatsConnection } from "@nats-io/nats-core";
import {
  BoundClusterEmitter,
  type ClusterEmitterScope,
  type ClusterMessage,
  type ClusterTarget,
  encodeClusterMessage,
} from "@switchyard/server";
import { NatsAdapterError, NatsAdapterErrorCode } from "./errors.js";
import { DEFAULT_PREFIX, type NatsSubjectOptions } from "./options.js";
import { checkPrefix, subjectFor } from "./subjects.js";

/** What the Emitter needs of a NATS connection: `publish` (a `NatsConnection` has it). */
export type NatsPublisher = Pick<NatsConnection, "publish">;

/** Options of the Emitter: the adapters' subject options, plus where publish errors go. */
export interface EmitterOptions extends NatsSubjectOptions {
  /** Called when a publish fails (default: ignored, so that emit never throws for the bus). */
  onError?: (error: NatsAdapterError) => void;
}

interface Target {
  readonly nc: NatsPublisher;
  readonly options: EmitterOptions;
  readonly prefix: string;
  readonly nsp: string;
}

/**
 * An immutable broadcast target of an Emitter (`emitter.to("room").except("x")`).
 * `emit` and `serverSideEmit` throw NatsAdapterError (`SY_ERR_ADAPTER_NATS_INVALID_ARGUMENT`)
 * for a reserved name or an ack.
 */
export class BroadcastEmitter extends BoundClusterEmitter<Target, BroadcastEmitter> {
  protected derive({ rooms, except, flags }: ClusterEmitterScope): BroadcastEmitter {
    return new BroadcastEmitter(this.binding, rooms, except, flags);
  }

  protected publish(to: ClusterTarget, message: ClusterMessage): void {
    const { nc, options, prefix, nsp } = this.binding;
    try {
      nc.publish(subjectFor(prefix, nsp, to), encodeClusterMessage(message));
    } catch (cause) {
      const code = NatsAdapterErrorCode.CONNECTION_ERROR;
      options.onError?.(new NatsAdapterError(code, "emitter publish failed", { cause }));
    }
  }

  protected invalid(message: string): NatsAdapterError {
    return new NatsAdapterError(NatsAdapterErrorCode.INVALID_ARGUMENT, message);
  }
}

/**
 * Emits into a NATS-backed switchyard cluster from any Node process.
 * @example
 * const emitter = new Emitter(await connect({ servers: url }));
 * emitter.to("room1").emit("news", { headline: "…" });
 * emitter.of("/admin").serverSideEmit("reload");
 * @throws NatsAdapterError (`SY_ERR_ADAPTER_NATS_INVALID_ARGUMENT`) for an invalid `prefix`.
 */
export class Emitter extends BroadcastEmitter {
  constructor(nc: NatsPublisher, options: EmitterOptions = {}, nsp = "/") {
    const prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
    super({ nc, options, prefix, nsp });
  }

  /** An emitter for another namespace. */
  of(nsp: string): Emitter {
    const { nc, options } = this.binding;
    return new Emitter(nc, options, nsp.startsWith("/") ? nsp : `/${nsp}`);
  }
}
