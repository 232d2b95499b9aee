// Emitter: publishes cluster messages from a process that is not a Socket.IO server (worker,
// cron) into the channels the Redis adapters listen on, as node id "emitter" (never a member).
import {
  CLUSTER_PROTOCOL_VERSION,
  type ClusterMessage,
  type ClusterTarget,
  EMITTER_UID,
  encodeClusterMessage,
  MessageType,
  type WireBroadcastOptions,
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

const RESERVED_EVENTS = new Set([
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
]);
const RESERVED_SERVER_SIDE_EVENTS = new Set(["connect", "connection", "new_namespace"]);

interface Publisher {
  readonly client: RedisClient;
  readonly options: EmitterOptions;
  readonly nsp: string;
}

type Flags = { volatile?: boolean; compress?: boolean };

/** An immutable broadcast target of an Emitter (`emitter.to("room").except("x")`). */
export class BroadcastEmitter {
  readonly #publisher: Publisher;
  readonly #rooms: readonly string[];
  readonly #except: readonly string[];
  readonly #flags: Flags;

  constructor(
    publisher: Publisher,
    rooms: readonly string[] = [],
    except: readonly string[] = [],
    flags: Flags = {},
  ) {
    this.#publisher = publisher;
    this.#rooms = rooms;
    this.#except = except;
    this.#flags = flags;
  }

  /** Targets the sockets in `room` (added to the rooms already targeted). */
  to(room: string | string[]): BroadcastEmitter {
    const rooms = [...new Set([...this.#rooms, ...toArray(room)])];
    return new BroadcastEmitter(this.#publisher, rooms, this.#except, this.#flags);
  }

  /** Alias of `to()`. */
  in(room: string | string[]): BroadcastEmitter {
    return this.to(room);
  }

  /** Excludes the sockets in `room`. */
  except(room: string | string[]): BroadcastEmitter {
    const except = [...new Set([...this.#except, ...toArray(room)])];
    return new BroadcastEmitter(this.#publisher, this.#rooms, except, this.#flags);
  }

  /** Drops the packet for clients that cannot take it right now. */
  get volatile(): BroadcastEmitter {
    return new BroadcastEmitter(this.#publisher, this.#rooms, this.#except, {
      ...this.#flags,
      volatile: true,
    });
  }

  /** Sets the compress flag. */
  compress(compress: boolean): BroadcastEmitter {
    return new BroadcastEmitter(this.#publisher, this.#rooms, this.#except, {
      ...this.#flags,
      compress,
    });
  }

  /**
   * Emits to every targeted socket of every node. Acks are not supported.
   * @throws RedisAdapterError (`SY_ERR_REDIS_INVALID_ARGUMENT`) for a reserved name or an ack.
   */
  emit(ev: string, ...args: unknown[]): true {
    if (RESERVED_EVENTS.has(ev)) throw invalid(`"${ev}" is a reserved event name`);
    if (typeof args[args.length - 1] === "function")
      throw invalid("the Emitter does not support acks");
    const packet = { type: 2 as const, nsp: this.#publisher.nsp, data: [ev, ...args] };
    this.publish(this.route(), {
      type: MessageType.BROADCAST,
      data: { opts: this.wire(), packet },
    });
    return true;
  }

  /** Makes the targeted sockets join `rooms`. */
  socketsJoin(rooms: string | string[]): void {
    this.publish(this.route(), {
      type: MessageType.SOCKETS_JOIN,
      data: { opts: this.wire(), rooms: toArray(rooms) },
    });
  }

  /** Makes the targeted sockets leave `rooms`. */
  socketsLeave(rooms: string | string[]): void {
    this.publish(this.route(), {
      type: MessageType.SOCKETS_LEAVE,
      data: { opts: this.wire(), rooms: toArray(rooms) },
    });
  }

  /** Disconnects the targeted sockets; `close` also closes their connections. */
  disconnectSockets(close = false): void {
    this.publish(this.route(), {
      type: MessageType.DISCONNECT_SOCKETS,
      data: { opts: this.wire(), close },
    });
  }

  /**
   * Sends an event to every server of the namespace. Acks are not supported.
   * @throws RedisAdapterError (`SY_ERR_REDIS_INVALID_ARGUMENT`) for a reserved name or an ack.
   */
  serverSideEmit(ev: string, ...args: unknown[]): true {
    if (RESERVED_SERVER_SIDE_EVENTS.has(ev)) throw invalid(`"${ev}" is a reserved event name`);
    if (typeof args[args.length - 1] === "function")
      throw invalid("the Emitter does not support acks");
    this.publish(
      { kind: "all" },
      { type: MessageType.SERVER_SIDE_EMIT, data: { packet: [ev, ...args] } },
    );
    return true;
  }

  private wire(): WireBroadcastOptions {
    return { rooms: [...this.#rooms], except: [...this.#except], flags: { ...this.#flags } };
  }

  private route(): ClusterTarget {
    const [room] = this.#rooms;
    const roomChannels = this.#publisher.options.roomChannels ?? true;
    return roomChannels && this.#rooms.length === 1 && room !== undefined
      ? { kind: "room", room }
      : { kind: "all" };
  }

  private publish(target: ClusterTarget, message: Distribute<ClusterMessage>): void {
    const { client, options, nsp } = this.#publisher;
    const full = {
      v: CLUSTER_PROTOCOL_VERSION,
      uid: EMITTER_UID,
      nsp,
      ...message,
    } as ClusterMessage;
    const payload = Buffer.from(encodeClusterMessage(full));
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
}

type Distribute<M> = M extends ClusterMessage ? Omit<M, "v" | "uid" | "nsp"> : never;

/**
 * Emits into a Redis-backed switchyard cluster from any Node process.
 * @example
 * const emitter = new Emitter(new Redis(url));
 * emitter.to("room1").emit("news", { headline: "…" });
 * emitter.of("/admin").serverSideEmit("reload");
 */
export class Emitter extends BroadcastEmitter {
  readonly #client: RedisClient;
  readonly #options: EmitterOptions;

  constructor(client: RedisClient, options: EmitterOptions = {}, nsp = "/") {
    super({ client, options, nsp });
    this.#client = client;
    this.#options = options;
  }

  /** An emitter for another namespace. */
  of(nsp: string): Emitter {
    return new Emitter(this.#client, this.#options, nsp.startsWith("/") ? nsp : `/${nsp}`);
  }
}

function toArray(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

function invalid(message: string): RedisAdapterError {
  return new RedisAdapterError(RedisAdapterErrorCode.INVALID_ARGUMENT, message);
}
