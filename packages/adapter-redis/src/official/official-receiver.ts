// Receipt of the official emitters' messages by one namespace's adapter: the channels to follow,
// a cheap room filter before decoding (as the official adapter has), decoding with limits, and
// counters. What a valid message does is the adapter's (`apply`).

import { RedisAdapterError, RedisAdapterErrorCode } from "../errors.js";
import {
  officialBroadcastChannel,
  officialBroadcastPattern,
  officialRequestChannel,
} from "./official-channels.js";
import {
  decodeOfficialBroadcast,
  decodeOfficialRequest,
  type OfficialDropReason,
  type OfficialLimits,
  type OfficialMessage,
} from "./official-message.js";

/** The `officialEmitters` option of `createAdapter`. */
export interface OfficialEmittersOptions {
  /** Most bytes of one message on the official channels. @default 1048576 */
  maxMessageBytes?: number;
  /**
   * Most levels of nesting of one message (event arguments included), at most
   * {@link MAX_OFFICIAL_DEPTH} (the packet encoder's own bound is deeper still).
   * @default 64
   */
  maxDepth?: number;
}

/** The highest `maxDepth` accepted. */
export const MAX_OFFICIAL_DEPTH = 512;

/**
 * Checks the `officialEmitters` option of `createAdapter`.
 * @throws RedisAdapterError (`SY_ERR_ADAPTER_REDIS_INVALID_ARGUMENT`) for a bad limit.
 */
export function checkOfficialOptions(option: boolean | OfficialEmittersOptions | undefined): void {
  if (typeof option !== "object") return;
  const { maxMessageBytes, maxDepth } = option;
  const positive = (value: number | undefined): boolean =>
    value === undefined || (Number.isSafeInteger(value) && value > 0);
  if (!positive(maxMessageBytes) || !positive(maxDepth) || (maxDepth ?? 0) > MAX_OFFICIAL_DEPTH) {
    throw new RedisAdapterError(
      RedisAdapterErrorCode.INVALID_ARGUMENT,
      `officialEmitters: maxMessageBytes and maxDepth must be positive integers, maxDepth at most ${MAX_OFFICIAL_DEPTH}`,
    );
  }
}

/** Counters of the messages received in the official emitters' format (`adapter.officialEmitters`). */
export interface OfficialCounters {
  /** Valid messages applied (broadcasts, joins, leaves, disconnects, server-side emits). */
  received: number;
  receivedByKind: Record<OfficialMessage["kind"], number>;
  /** Messages dropped (malformed, over a limit, or of a kind emitters never send). */
  dropped: number;
  droppedByReason: Record<OfficialDropReason, number>;
}

/** What the receiver needs from its adapter. */
export interface OfficialSink {
  /** Whether a socket of this node is in `room` (room channels of absent rooms are skipped). */
  hasRoom(room: string): boolean;
  /** Applies a valid message of this namespace. */
  apply(message: OfficialMessage): void;
  /** A message was dropped (the adapter counts it in its bus counters too). */
  dropped(reason: OfficialDropReason): void;
}

/** Default bounds of {@link OfficialEmittersOptions}. */
export const OFFICIAL_DEFAULTS: OfficialLimits = { maxBytes: 1_048_576, maxDepth: 64 };

/** Receives one namespace's official-format messages. */
export class OfficialReceiver {
  readonly counters: OfficialCounters = {
    received: 0,
    receivedByKind: { broadcast: 0, join: 0, leave: 0, disconnect: 0, serverSideEmit: 0 },
    dropped: 0,
    droppedByReason: {
      "too-large": 0,
      undecodable: 0,
      "bad-shape": 0,
      "too-deep": 0,
      "reserved-event": 0,
      "unsupported-type": 0,
    },
  };
  /** PSUBSCRIBE pattern of the broadcast channels. */
  readonly pattern: string;
  /** The request channel (SUBSCRIBE). */
  readonly requestChannel: string;
  readonly #nsp: string;
  readonly #broadcastChannel: string;
  readonly #limits: OfficialLimits;
  readonly #sink: OfficialSink;

  constructor(key: string, nsp: string, options: OfficialEmittersOptions, sink: OfficialSink) {
    this.#nsp = nsp;
    this.pattern = officialBroadcastPattern(key, nsp);
    this.requestChannel = officialRequestChannel(key, nsp);
    this.#broadcastChannel = officialBroadcastChannel(key, nsp);
    this.#limits = {
      maxBytes: options.maxMessageBytes ?? OFFICIAL_DEFAULTS.maxBytes,
      maxDepth: options.maxDepth ?? OFFICIAL_DEFAULTS.maxDepth,
    };
    this.#sink = sink;
  }

  /** A message on a channel matched by {@link pattern}. */
  onBroadcast(channel: string, bytes: Uint8Array): void {
    if (!channel.startsWith(this.#broadcastChannel)) return;
    const rest = channel.slice(this.#broadcastChannel.length);
    // `<room>#`: a room without local members (or another namespace's channel) is not ours.
    if (rest !== "" && !this.#sink.hasRoom(rest.slice(0, -1))) return;
    const result = decodeOfficialBroadcast(bytes, this.#limits);
    if (!result.ok) this.#drop(result.reason);
    else if (
      result.message.kind === "broadcast" &&
      (result.message.nsp ?? this.#nsp) !== this.#nsp
    ) {
      // Another namespace whose name starts like ours (the pattern matched it): not ours.
    } else this.#apply(result.message);
  }

  /** A message on {@link requestChannel}. */
  onRequest(bytes: Uint8Array): void {
    const result = decodeOfficialRequest(bytes, this.#limits);
    if (result.ok) this.#apply(result.message);
    else this.#drop(result.reason);
  }

  #apply(message: OfficialMessage): void {
    this.counters.received++;
    this.counters.receivedByKind[message.kind]++;
    this.#sink.apply(message);
  }

  #drop(reason: OfficialDropReason): void {
    this.counters.dropped++;
    this.counters.droppedByReason[reason]++;
    this.#sink.dropped(reason);
  }
}
