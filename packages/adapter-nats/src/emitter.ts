// Emitter: publishes cluster messages from a process that is not a Socket.IO server (worker,
// cron) onto the subjects the NATS adapters listen on, as node id "emitter" (never a member).
// The message building is ClusterEmitter's (@switchyard/server); this binds NATS subjects.
// With `recovery`, recoverable broadcasts go through the history stream like the servers' own.
import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import {
  BoundClusterEmitter,
  type ClusterEmitterScope,
  type ClusterMessage,
  type ClusterTarget,
  encodeClusterMessage,
  MessageType,
} from "@switchyard/server";
import { NatsAdapterError, NatsAdapterErrorCode } from "./errors.js";
import { DEFAULT_PREFIX, type NatsSubjectOptions } from "./options.js";
import { checkPrefix, historyNames, historySubjectFor, subjectFor } from "./subjects.js";

/** What the Emitter needs of a NATS connection: `publish` (a `NatsConnection` has it). */
export type NatsPublisher = Pick<NatsConnection, "publish">;

/** Options of the Emitter: the adapters' subject options, plus where publish errors go. */
export interface EmitterOptions extends NatsSubjectOptions {
  /** Called when a publish fails (default: ignored, so that emit never throws for the bus). */
  onError?: (error: NatsAdapterError) => void;
  /**
   * The servers run with `connectionStateRecovery`: `emit()` (not volatile) is stored in their
   * history stream, so that clients away when it was sent get it when they recover. Needs the
   * `NatsConnection` itself (JetStream), and the stream that the servers create.
   * @default false
   */
  recovery?: boolean;
}

interface Target {
  readonly nc: NatsPublisher;
  readonly options: EmitterOptions;
  readonly prefix: string;
  readonly nsp: string;
  /** With `recovery`: the JetStream client and the history stream's name. */
  readonly history: { js: JetStreamClient; stream: string } | undefined;
}

type BroadcastMessage = Extract<ClusterMessage, { type: typeof MessageType.BROADCAST }>;

/**
 * The emitter's own counter of its recoverable events (`o`). Replays treat the emitters' events
 * as another publisher's (their position orders them), so it only has to be positive.
 */
let emitted = 0;

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
    const { nc, options, prefix, nsp, history } = this.binding;
    if (history !== undefined && isRecoverable(message)) {
      emitted++;
      const payload = encodeClusterMessage({ ...message, data: { ...message.data, o: emitted } });
      const subject = historySubjectFor(prefix, nsp, to);
      history.js
        .publish(subject, payload, { expect: { streamName: history.stream } })
        .catch((cause: unknown) => {
          const code = NatsAdapterErrorCode.CONNECTION_ERROR;
          options.onError?.(
            new NatsAdapterError(code, "emitter history publish failed", { cause }),
          );
        });
      return;
    }
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
    super({ nc, options, prefix, nsp, history: historyOf(nc, options, prefix) });
  }

  /** An emitter for another namespace. */
  of(nsp: string): Emitter {
    const { nc, options } = this.binding;
    return new Emitter(nc, options, nsp.startsWith("/") ? nsp : `/${nsp}`);
  }
}

/** Whether a message is an event the servers would store (not volatile, no ack). */
function isRecoverable(message: ClusterMessage): message is BroadcastMessage {
  return (
    message.type === MessageType.BROADCAST &&
    message.data.requestId === undefined &&
    message.data.opts.flags?.volatile !== true
  );
}

/** The history binding of an Emitter with `recovery`. */
function historyOf(nc: NatsPublisher, options: EmitterOptions, prefix: string): Target["history"] {
  if (options.recovery !== true) return undefined;
  if (!isConnection(nc)) {
    const message = "an Emitter with recovery needs the NatsConnection itself (JetStream)";
    throw new NatsAdapterError(NatsAdapterErrorCode.INVALID_ARGUMENT, message);
  }
  return { js: jetstream(nc), stream: historyNames(prefix).stream };
}

function isConnection(nc: NatsPublisher): nc is NatsConnection {
  const candidate = nc as Partial<NatsConnection>;
  return typeof candidate.request === "function" && typeof candidate.subscribe === "function";
}
