// The Emitter half shared by bus adapters (Redis, NATS): an immutable broadcast target that a
// process which is not a Socket.IO server (worker, cron) uses to build cluster messages as node
// id "emitter" (never a member). Subclasses bind a bus: they publish and name their errors;
// BoundClusterEmitter keeps that binding (client, options, namespace) for every derived target.
// Reserved names are the ones sockets and namespaces refuse (socket/reserved-events.ts).

import { RESERVED_NAMESPACE_EVENTS, RESERVED_SOCKET_EVENTS } from "../socket/reserved-events.js";
import type { ClusterTarget } from "./cluster-bus.js";
import {
  CLUSTER_PROTOCOL_VERSION,
  type ClusterMessage,
  EMITTER_UID,
  MessageType,
  type WireBroadcastOptions,
} from "./cluster-message.js";

/** The flags an Emitter sends with its operations. */
export type ClusterEmitterFlags = { volatile?: boolean; compress?: boolean };

/** What a ClusterEmitter targets: namespace, rooms, exclusions, flags and room routing. */
export interface ClusterEmitterScope {
  readonly nsp: string;
  readonly rooms: readonly string[];
  readonly except: readonly string[];
  readonly flags: ClusterEmitterFlags;
  /** Single-room operations go to that room's channel (the adapters' `roomChannels`). */
  readonly roomChannels: boolean;
  /**
   * The servers run with `connectionStateRecovery`: events (not volatile) are appended to the
   * history, as the adapters' own broadcasts are, so that a returning client gets them too.
   */
  readonly recovery: boolean;
}

type Distribute<M> = M extends ClusterMessage ? Omit<M, "v" | "uid" | "nsp"> : never;

/**
 * An immutable broadcast target of an Emitter (`emitter.to("room").except("x")`). `B` is the
 * subclass that `to()`, `except()`, `volatile` and `compress()` return.
 */
export abstract class ClusterEmitter<B extends ClusterEmitter<B>> {
  readonly #scope: ClusterEmitterScope;

  protected constructor(scope: ClusterEmitterScope) {
    this.#scope = scope;
  }

  /** A copy of this target with another scope (same bus). */
  protected abstract derive(scope: ClusterEmitterScope): B;

  /**
   * Sends a complete message to `target`; failures go to the bus's error handler, not thrown.
   * `ordered` messages go through the target's history (recovery on, see cluster-history.ts).
   */
  protected abstract publish(
    target: ClusterTarget,
    message: ClusterMessage,
    ordered: boolean,
  ): void;

  /** The bus's error for a reserved event name or an ack. */
  protected abstract invalid(message: string): Error;

  /** The message of the error thrown for an ack. */
  protected get noAcksMessage(): string {
    return "the Emitter has no acks";
  }

  /** Targets the sockets in `room` (added to the rooms already targeted). */
  to(room: string | string[]): B {
    const rooms = [...new Set([...this.#scope.rooms, ...toArray(room)])];
    return this.derive({ ...this.#scope, rooms });
  }

  /** Alias of `to()`. */
  in(room: string | string[]): B {
    return this.to(room);
  }

  /** Excludes the sockets in `room`. */
  except(room: string | string[]): B {
    const except = [...new Set([...this.#scope.except, ...toArray(room)])];
    return this.derive({ ...this.#scope, except });
  }

  /** Drops the packet for clients that cannot take it right now. */
  get volatile(): B {
    return this.derive({ ...this.#scope, flags: { ...this.#scope.flags, volatile: true } });
  }

  /** Sets the compress flag. */
  compress(compress: boolean): B {
    return this.derive({ ...this.#scope, flags: { ...this.#scope.flags, compress } });
  }

  /**
   * Emits to every targeted socket of every node. Acks are not supported.
   * @throws the bus's invalid-argument error for a reserved name or an ack.
   */
  emit(ev: string, ...args: unknown[]): true {
    if (RESERVED_SOCKET_EVENTS.has(ev)) throw this.invalid(`"${ev}" is a reserved event name`);
    if (typeof args[args.length - 1] === "function") throw this.invalid(this.noAcksMessage);
    const packet = { type: 2 as const, nsp: this.#scope.nsp, data: [ev, ...args] };
    const { recovery, flags } = this.#scope;
    // Emitters share one node id: their events are never "own" to any node (replay.ts), so any
    // positive counter marks them recoverable.
    const ordered = recovery && flags.volatile !== true;
    const data = ordered ? { opts: this.#wire(), packet, o: 1 } : { opts: this.#wire(), packet };
    this.#send(this.#route(), { type: MessageType.BROADCAST, data }, ordered);
    return true;
  }

  /** Makes the targeted sockets join `rooms`. */
  socketsJoin(rooms: string | string[]): void {
    const data = { opts: this.#wire(), rooms: toArray(rooms) };
    this.#send(this.#route(), { type: MessageType.SOCKETS_JOIN, data });
  }

  /** Makes the targeted sockets leave `rooms`. */
  socketsLeave(rooms: string | string[]): void {
    const data = { opts: this.#wire(), rooms: toArray(rooms) };
    this.#send(this.#route(), { type: MessageType.SOCKETS_LEAVE, data });
  }

  /** Disconnects the targeted sockets; `close` also closes their connections. */
  disconnectSockets(close = false): void {
    const data = { opts: this.#wire(), close };
    this.#send(this.#route(), { type: MessageType.DISCONNECT_SOCKETS, data });
  }

  /**
   * Sends an event to every server of the namespace. Acks are not supported.
   * @throws the bus's invalid-argument error for a reserved name or an ack.
   */
  serverSideEmit(ev: string, ...args: unknown[]): true {
    if (RESERVED_NAMESPACE_EVENTS.has(ev)) throw this.invalid(`"${ev}" is a reserved event name`);
    if (typeof args[args.length - 1] === "function") throw this.invalid(this.noAcksMessage);
    const data = { packet: [ev, ...args] };
    this.#send({ kind: "all" }, { type: MessageType.SERVER_SIDE_EMIT, data });
    return true;
  }

  #wire(): WireBroadcastOptions {
    const { rooms, except, flags } = this.#scope;
    return { rooms: [...rooms], except: [...except], flags: { ...flags } };
  }

  /** One room (and room channels on): that room's channel, as the adapters route it. */
  #route(): ClusterTarget {
    const { rooms, roomChannels } = this.#scope;
    const [room] = rooms;
    return roomChannels && rooms.length === 1 && room !== undefined
      ? { kind: "room", room }
      : { kind: "all" };
  }

  #send(target: ClusterTarget, message: Distribute<ClusterMessage>, ordered = false): void {
    const envelope = { v: CLUSTER_PROTOCOL_VERSION, uid: EMITTER_UID, nsp: this.#scope.nsp };
    this.publish(target, { ...envelope, ...message } as ClusterMessage, ordered);
  }
}

/** What every target of a bus's Emitter shares: the namespace and the adapters' options. */
export interface ClusterEmitterBinding {
  readonly nsp: string;
  /**
   * `roomChannels` as the adapters of the bus have it (default true); `recovery` when the servers
   * run with `connectionStateRecovery` (default false).
   */
  readonly options: { readonly roomChannels?: boolean; readonly recovery?: unknown };
}

/**
 * A ClusterEmitter bound to a bus: `binding` (its client, options and namespace) is passed on to
 * every target derived from it, and single-room operations follow its `roomChannels` option.
 */
export abstract class BoundClusterEmitter<
  T extends ClusterEmitterBinding,
  B extends BoundClusterEmitter<T, B>,
> extends ClusterEmitter<B> {
  readonly #binding: T;

  constructor(
    binding: T,
    rooms: readonly string[] = [],
    except: readonly string[] = [],
    flags: ClusterEmitterFlags = {},
  ) {
    const roomChannels = binding.options.roomChannels ?? true;
    const recovery = Boolean(binding.options.recovery);
    super({ nsp: binding.nsp, rooms, except, flags, roomChannels, recovery });
    this.#binding = binding;
  }

  /** The bus this target publishes on. */
  protected get binding(): T {
    return this.#binding;
  }
}

function toArray(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}
