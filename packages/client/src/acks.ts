// Acknowledgements of emitted events: pending callbacks by id with optional timeouts, and the
// at-least-once retry queue of the `retries` option (one packet in flight, docs/protocol.md §4.2).
import { ClientError } from "./errors.js";
import { startTimer, type TimerOptions } from "./timers.js";

/** An ack callback; `withError` ones get an Error (or null) as first argument. */
export type AckCallback = ((...args: unknown[]) => void) & { withError?: boolean };

/** Per-emit modifiers. */
export interface EmitFlags {
  compress?: boolean;
  volatile?: boolean;
  timeout?: number;
  fromQueue?: boolean;
}

/** Ack callbacks waiting for the server, by packet id. */
export class AckRegistry {
  #acks: Map<number, AckCallback> = new Map();

  /**
   * Registers `ack`; with a timeout it is called with an Error when no ack arrives in time
   * (`timers`: the client options that choose its timers; the timer is never unref'd).
   */
  register(
    id: number,
    ack: AckCallback,
    timeoutMs: number | undefined,
    onTimeout: () => void,
    timers: TimerOptions,
  ): void {
    if (timeoutMs === undefined) {
      this.#acks.set(id, ack);
      return;
    }
    const stopTimer = startTimer(
      timers,
      () => {
        this.#acks.delete(id);
        onTimeout();
        ack(new ClientError("SY_ERR_CLIENT_ACK_TIMEOUT", "operation has timed out"));
      },
      timeoutMs,
      false,
    );
    const wrapped: AckCallback = (...args) => {
      stopTimer();
      ack(...args);
    };
    wrapped.withError = true;
    this.#acks.set(id, wrapped);
  }

  /** Removes and returns the callback of `id`. */
  take(id: number): AckCallback | undefined {
    const ack = this.#acks.get(id);
    this.#acks.delete(id);
    return ack;
  }

  /**
   * On disconnect: acks of packets already sent get "socket has been disconnected" (error-first
   * ones) or are dropped; acks of packets still buffered stay, for the next connection.
   */
  clear(isBuffered: (id: number) => boolean): void {
    for (const [id, ack] of this.#acks) {
      if (isBuffered(id)) continue;
      this.#acks.delete(id);
      if (ack.withError === true) {
        ack(new ClientError("SY_ERR_CLIENT_DISCONNECTED", "socket has been disconnected"));
      }
    }
  }
}

interface QueuedPacket {
  tryCount: number;
  pending: boolean;
  args: unknown[];
  flags: EmitFlags;
}

/** The `retries` queue: one packet in flight, resent until acked or out of retries. */
export class RetryQueue {
  #queue: QueuedPacket[] = [];
  readonly #retries: number;
  readonly #send: (args: unknown[], flags: EmitFlags) => void;
  readonly #canSend: () => boolean;

  constructor(
    retries: number,
    send: (args: unknown[], flags: EmitFlags) => void,
    canSend: () => boolean,
  ) {
    this.#retries = retries;
    this.#send = send;
    this.#canSend = canSend;
  }

  /** Queues an emit (`args` = event name, arguments and optional ack). */
  add(args: unknown[], flags: EmitFlags): void {
    const last = args.at(-1);
    const ack = typeof last === "function" ? (args.pop() as AckCallback) : undefined;
    const packet: QueuedPacket = {
      tryCount: 0,
      pending: false,
      args,
      flags: { ...flags, fromQueue: true },
    };
    args.push((err: unknown, ...response: unknown[]) => {
      if (packet !== this.#queue[0]) return;
      if (err !== null) {
        if (packet.tryCount > this.#retries) {
          this.#queue.shift();
          ack?.(err);
        }
      } else {
        this.#queue.shift();
        ack?.(null, ...response);
      }
      packet.pending = false;
      this.drain();
    });
    this.#queue.push(packet);
    this.drain();
  }

  /** Sends the head packet unless it is in flight (`force` resends it, after a reconnect). */
  drain(force = false): void {
    const packet = this.#queue[0];
    if (packet === undefined || !this.#canSend()) return;
    if (packet.pending && !force) return;
    packet.pending = true;
    packet.tryCount++;
    this.#send([...packet.args], packet.flags);
  }
}
