// Typed event maps: the generics of Server<…>, Namespace<…>, Socket<…> and BroadcastOperator<…>.
// Type-only helpers plus StrictEventEmitter, the EventEmitter base whose user listeners can never
// corrupt protocol state (B5.6): an exception thrown by a listener is rethrown on the next tick.
import { EventEmitter } from "node:events";

/** A map of event names to listener signatures. */
export interface EventsMap {
  // biome-ignore lint/suspicious/noExplicitAny: listener signatures vary; `any` keeps socket.io's typing
  [event: string]: any;
}

/** The map used when no generic is given: every event name, any arguments. */
export interface DefaultEventsMap {
  // biome-ignore lint/suspicious/noExplicitAny: untyped events accept any arguments, as in socket.io
  [event: string]: (...args: any[]) => void;
}

// biome-ignore lint/suspicious/noExplicitAny: the widest function type, used only in conditionals
type AnyFunction = (...args: any[]) => unknown;

type IsAny<T> = 0 extends 1 & T ? true : false;

/** The event names of a map. */
export type EventNames<Map extends EventsMap> = keyof Map & (string | symbol);

/** The parameters of one event's listener. */
export type EventParams<Map extends EventsMap, Ev extends EventNames<Map>> = Parameters<Map[Ev]>;

/** The last element of a tuple (or the element type of an array). */
export type Last<T extends readonly unknown[]> = T extends readonly [...unknown[], infer L]
  ? L
  : T extends readonly (infer E)[]
    ? E
    : never;

/** Every element of a tuple but the last. */
// biome-ignore lint/suspicious/noExplicitAny: a non-tuple has no known head, as in socket.io
export type AllButLast<T extends unknown[]> = T extends [...infer Head, unknown] ? Head : any[];

type Params<F> = F extends (...args: infer P) => unknown ? P : never;
type EndsWithFunction<F> =
  Params<F> extends [] ? false : Last<Params<F>> extends AnyFunction ? true : false;

/** Events whose last parameter is an acknowledgement callback. */
export type EventNamesWithAck<Map extends EventsMap, K extends EventNames<Map> = EventNames<Map>> =
  IsAny<Last<Params<Map[K]>> | Map[K]> extends true
    ? K
    : K extends unknown
      ? EndsWithFunction<Map[K]> extends true
        ? K
        : never
      : never;

/** Events without an acknowledgement callback. */
export type EventNamesWithoutAck<
  Map extends EventsMap,
  K extends EventNames<Map> = EventNames<Map>,
> =
  IsAny<Last<Params<Map[K]>> | Map[K]> extends true
    ? K
    : K extends unknown
      ? EndsWithFunction<Map[K]> extends true
        ? never
        : K
      : never;

/** Events whose acknowledgement callback takes an Error first. */
export type EventNamesWithError<
  Map extends EventsMap,
  K extends EventNamesWithAck<Map> = EventNamesWithAck<Map>,
> =
  IsAny<Last<Params<Map[K]>> | Map[K]> extends true
    ? K
    : K extends unknown
      ? Params<Last<Params<Map[K]>>>[0] extends Error
        ? K
        : never
      : never;

/** The map restricted to events that carry no acknowledgement (server-wide broadcasts). */
export type RemoveAcknowledgements<E extends EventsMap> = {
  [K in EventNamesWithoutAck<E>]: E[K];
};

/** The first argument of an ack callback that is not the timeout Error. */
export type FirstNonErrorArg<T> = T extends (...args: infer P) => unknown
  ? P[0] extends Error
    ? P[1]
    : P[0]
  : unknown;

type PrependError<P extends unknown[]> = {
  [I in keyof P]: P[I] extends (...args: infer A) => infer R
    ? A[0] extends Error
      ? P[I]
      : (err: Error, ...args: A) => R
    : P[I];
};

type Arrays<T extends unknown[]> = { [I in keyof T]: T[I][] };

type MultipleResponses<P extends unknown[]> = {
  [I in keyof P]: P[I] extends (...args: infer A) => infer R
    ? A extends [Error, ...infer Rest]
      ? (err: Error, ...args: Arrays<Rest>) => R
      : (...args: Arrays<A>) => R
    : P[I];
};

/** After `timeout()`: every ack callback receives an Error first. */
export type DecorateAcknowledgements<E> = {
  [K in keyof E]: E[K] extends (...args: infer P) => infer R
    ? (...args: PrependError<P>) => R
    : E[K];
};

/** Broadcast acks: every ack argument becomes an array of responses. */
export type DecorateAcknowledgementsWithMultipleResponses<E> = {
  [K in keyof E]: E[K] extends (...args: infer P) => infer R
    ? (...args: MultipleResponses<P>) => R
    : E[K];
};

/** Broadcast acks after `timeout()` (and server-side emits): Error first, then arrays. */
export type DecorateAcknowledgementsWithTimeoutAndMultipleResponses<E> = {
  [K in keyof E]: E[K] extends (...args: infer P) => infer R
    ? (...args: MultipleResponses<PrependError<P>>) => R
    : E[K];
};

/** Names accepted by `on`: reserved events plus the user's listen events. */
export type ReservedOrUserEventNames<Reserved extends EventsMap, User extends EventsMap> =
  | EventNames<Reserved>
  | EventNames<User>;

/** The listener type of a reserved or user event (untyped when the name is unknown). */
export type ReservedOrUserListener<
  Reserved extends EventsMap,
  User extends EventsMap,
  Ev extends ReservedOrUserEventNames<Reserved, User>,
> = FallbackToUntyped<
  Ev extends EventNames<Reserved> ? Reserved[Ev] : Ev extends EventNames<User> ? User[Ev] : never
>;

// biome-ignore lint/suspicious/noExplicitAny: an unknown event name gets an untyped listener
type FallbackToUntyped<T> = [T] extends [never] ? (...args: any[]) => void | Promise<void> : T;

/** Anything with a typed `emit`. */
export interface TypedEventBroadcaster<EmitEvents extends EventsMap> {
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean;
}

/** Calls a listener chain; an exception is rethrown on the next tick instead of unwinding into us. */
export function emitIsolated(emitter: EventEmitter, ev: string | symbol, args: unknown[]): boolean {
  try {
    return EventEmitter.prototype.emit.call(emitter, ev, ...args);
  } catch (err) {
    process.nextTick(() => {
      throw err;
    });
    return true;
  }
}

/** EventEmitter with typed `on`/`once`/`emit`/`listeners`; reserved events are emitted internally. */
export abstract class StrictEventEmitter<
    ListenEvents extends EventsMap,
    EmitEvents extends EventsMap,
    ReservedEvents extends EventsMap = Record<never, never>,
  >
  extends EventEmitter
  implements TypedEventBroadcaster<EmitEvents>
{
  override on<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    return super.on(ev, listener);
  }

  override once<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>,
  ): this {
    return super.once(ev, listener);
  }

  override emit<Ev extends EventNames<EmitEvents>>(
    ev: Ev,
    ...args: EventParams<EmitEvents, Ev>
  ): boolean {
    return super.emit(ev, ...args);
  }

  /** Emits an event of the reserved map (connect, disconnect…) to local listeners. */
  protected emitReserved<Ev extends EventNames<ReservedEvents>>(
    ev: Ev,
    ...args: EventParams<ReservedEvents, Ev>
  ): boolean {
    return emitIsolated(this, ev, args);
  }

  /** Emits any event to local listeners, bypassing the typed `emit` override. */
  protected emitUntyped(ev: string, ...args: unknown[]): boolean {
    return emitIsolated(this, ev, args);
  }

  override listeners<Ev extends ReservedOrUserEventNames<ReservedEvents, ListenEvents>>(
    ev: Ev,
  ): ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>[] {
    return super.listeners(ev) as ReservedOrUserListener<ReservedEvents, ListenEvents, Ev>[];
  }
}
