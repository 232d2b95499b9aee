// Emitter: publishes cluster messages from a process that is not a Socket.IO server (worker,
// cron) onto the subjects the NATS adapters listen on, as node id "emitter" (never a member).
import type { NatsConnection } from "@nats-io/nats-core";
import {
  CLUSTER_PROTOCOL_VERSION,
  type ClusterMessage,
  type ClusterTarget,
  EMITTER_UID,
  encodeClusterMessage,
  MessageType,
  type WireBroadcastOptions,
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

const RESERVED_EVENTS = new Set([
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
]);
const RESERVED_SERVER_SIDE_EVENTS = new Set(["connect", "connection", "new_namespace"]);

interface Target {
  readonly nc: NatsPublisher;
  readonly options: EmitterOptions;
  readonly prefix: string;
  readonly nsp: string;
}

type Flags = { volatile?: boolean; compress?: boolean };
type Distribute<M> = M extends ClusterMessage ? Omit<M, "v" | "uid" | "nsp"> : never;

/** An immutable broadcast target of an Emitter (`emitter.to("room").except("x")`). */
export class BroadcastEmitter {
  readonly #target: Target;
  readonly #rooms: readonly string[];
  readonly #except: readonly string[];
  readonly #flags: Flags;

  constructor(
    target: Target,
    rooms: readonly string[] = [],
    except: readonly string[] = [],
    flags: Flags = {},
  ) {
    this.#target = target;
    this.#rooms = rooms;
    this.#except = except;
    this.#flags = flags;
  }

  /** Targets the sockets in `room` (added to the rooms already targeted). */
  to(room: string | string[]): BroadcastEmitter {
    const rooms = [...new Set([...this.#rooms, ...toArray(room)])];
    return new BroadcastEmitter(this.#target, rooms, this.#except, this.#flags);
  }

  /** Alias of `to()`. */
  in(room: string | string[]): BroadcastEmitter {
    return this.to(room);
  }

  /** Excludes the sockets in `room`. */
  except(room: string | string[]): BroadcastEmitter {
    const except = [...new Set([...this.#except, ...toArray(room)])];
    return new BroadcastEmitter(this.#target, this.#rooms, except, this.#flags);
  }

  /** Drops the packet for clients that cannot take it right now. */
  get volatile(): BroadcastEmitter {
    const flags = { ...this.#flags, volatile: true };
    return new BroadcastEmitter(this.#target, this.#rooms, this.#except, flags);
  }

  /** Sets the compress flag. */
  compress(compress: boolean): BroadcastEmitter {
    const flags = { ...this.#flags, compress };
    return new BroadcastEmitter(this.#target, this.#rooms, this.#except, flags);
  }

  /**
   * Emits to every targeted socket of every node. Acks are not supported.
   * @throws NatsAdapterError (`SY_ERR_ADAPTER_NATS_INVALID_ARGUMENT`) for a reserved name or an ack.
   */
  emit(ev: string, ...args: unknown[]): true {
    if (RESERVED_EVENTS.has(ev)) throw invalid(`"${ev}" is a reserved event name`);
    if (typeof args[args.length - 1] === "function") throw invalid("the Emitter has no acks");
    const packet = { type: 2 as const, nsp: this.#target.nsp, data: [ev, ...args] };
    const data = { opts: this.wire(), packet };
    this.publish(this.route(), { type: MessageType.BROADCAST, data });
    return true;
  }

  /** Makes the targeted sockets join `rooms`. */
  socketsJoin(rooms: string | string[]): void {
    const data = { opts: this.wire(), rooms: toArray(rooms) };
    this.publish(this.route(), { type: MessageType.SOCKETS_JOIN, data });
  }

  /** Makes the targeted sockets leave `rooms`. */
  socketsLeave(rooms: string | string[]): void {
    const data = { opts: this.wire(), rooms: toArray(rooms) };
    this.publish(this.route(), { type: MessageType.SOCKETS_LEAVE, data });
  }

  /** Disconnects the targeted sockets; `close` also closes their connections. */
  disconnectSockets(close = false): void {
    const data = { opts: this.wire(), close };
    this.publish(this.route(), { type: MessageType.DISCONNECT_SOCKETS, data });
  }

  /**
   * Sends an event to every server of the namespace. Acks are not supported.
   * @throws NatsAdapterError (`SY_ERR_ADAPTER_NATS_INVALID_ARGUMENT`) for a reserved name or an ack.
   */
  serverSideEmit(ev: string, ...args: unknown[]): true {
    if (RESERVED_SERVER_SIDE_EVENTS.has(ev)) throw invalid(`"${ev}" is a reserved event name`);
    if (typeof args[args.length - 1] === "function") throw invalid("the Emitter has no acks");
    const data = { packet: [ev, ...args] };
    this.publish({ kind: "all" }, { type: MessageType.SERVER_SIDE_EMIT, data });
    return true;
  }

  private wire(): WireBroadcastOptions {
    return { rooms: [...this.#rooms], except: [...this.#except], flags: { ...this.#flags } };
  }

  /** One room (and room subjects on): that room's subject, as the adapters route it. */
  private route(): ClusterTarget {
    const [room] = this.#rooms;
    const roomChannels = this.#target.options.roomChannels ?? true;
    return roomChannels && this.#rooms.length === 1 && room !== undefined
      ? { kind: "room", room }
      : { kind: "all" };
  }

  private publish(to: ClusterTarget, message: Distribute<ClusterMessage>): void {
    const { nc, options, prefix, nsp } = this.#target;
    const envelope = { v: CLUSTER_PROTOCOL_VERSION, uid: EMITTER_UID, nsp };
    const full = { ...envelope, ...message } as ClusterMessage;
    try {
      nc.publish(subjectFor(prefix, nsp, to), encodeClusterMessage(full));
    } catch (cause) {
      const code = NatsAdapterErrorCode.CONNECTION_ERROR;
      options.onError?.(new NatsAdapterError(code, "emitter publish failed", { cause }));
    }
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
  readonly #nc: NatsPublisher;
  readonly #options: EmitterOptions;

  constructor(nc: NatsPublisher, options: EmitterOptions = {}, nsp = "/") {
    const prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
    super({ nc, options, prefix, nsp });
    this.#nc = nc;
    this.#options = options;
  }

  /** An emitter for another namespace. */
  of(nsp: string): Emitter {
    return new Emitter(this.#nc, this.#options, nsp.startsWith("/") ? nsp : `/${nsp}`);
  }
}

function toArray(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

function invalid(message: string): NatsAdapterError {
  return new NatsAdapterError(NatsAdapterErrorCode.INVALID_ARGUMENT, message);
}
