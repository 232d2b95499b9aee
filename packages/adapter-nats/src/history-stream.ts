// The recovery history of one subject prefix in JetStream (docs/deployment-nats.md): ONE stream
// holds the history subjects of every namespace, so its sequence is the one ordering authority of
// each of them (positions `(sequence, 0)`). On nats-server 2.10+, the stream republishes every
// stored message to the subject the adapters already subscribe to, with its `Nats-Sequence`:
// nodes receive each message once, after it was stored, in sequence order. Before 2.10 RePublish
// breaks that order, so there one ordered consumer per node delivers them (consumer-delivery.ts).
// Its epoch is derived from the stream's creation time: a deleted and re-created stream (or one
// lost with a memory-storage restart) is a new epoch. Limits only ever delete from the front
// (history-config.ts), so `first_seq` tells exactly whether a read lost something.
import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  type StreamInfo,
} from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { MsgHdrs, NatsConnection } from "@nats-io/nats-core";
import type { DeliveredPosition, HistoryEntry, HistoryRead, LogPosition } from "@switchyard/server";
import { ConsumerDelivery, type OrderedHandler } from "./consumer-delivery.js";
import { NatsAdapterError, NatsAdapterErrorCode } from "./errors.js";
import {
  changes,
  epochOf,
  type HistoryDelivery,
  serverAtLeast,
  streamConfig,
} from "./history-config.js";
import { parseSequence, readSubject } from "./history-reader.js";
import {
  isApiError,
  isNoStream,
  isStreamNotFound,
  STREAM_NAME_IN_USE,
} from "./jetstream-errors.js";
import type { NatsHistoryOptions } from "./options.js";
import { openSessionBucket } from "./session-store.js";
import { type HistoryNames, historyNames } from "./subjects.js";

/** Retention past `maxDisconnectionDuration`, in ms. */
const MAX_AGE_MARGIN_MS = 60_000;
/** How often a node checks that the stream is still the one it knows (its epoch). */
const CHECK_EVERY_MS = 5000;
/** Bound of one history read (a restore), in ms. */
const READ_TIMEOUT_MS = 10_000;

/** What an ordered (republished) message says about its position. */
export type OrderedHeader = DeliveredPosition | "malformed" | undefined;

/** Counters of the history stream (one per `createAdapter` call). */
export interface HistoryStreamCounters {
  /** Republished messages whose `Nats-Stream`/`Nats-Sequence` headers were not ours (dropped). */
  malformed: number;
  /** Times the stream was found re-created (new epoch) while the node ran. */
  epochChanges: number;
}

/** The history stream of one prefix, shared by the namespaces of one `createAdapter`. */
export class HistoryStream {
  readonly names: HistoryNames;
  readonly counters: HistoryStreamCounters = { malformed: 0, epochChanges: 0 };
  readonly #nc: NatsConnection;
  readonly #prefix: string;
  readonly #options: NatsHistoryOptions;
  readonly #connected: () => boolean;
  readonly #js: JetStreamClient;
  #jsm: Promise<JetStreamManager> | undefined;
  /** The longest retention a namespace asked for, in ms. */
  #maxAgeMs = 0;
  #ready: Promise<string> | undefined;
  /** The longest life a namespace asked for the session records, in ms. */
  #bucketTtlMs = 0;
  #bucket: Promise<KV> | undefined;
  #epoch = "";
  /** The last sequence delivered here, and acknowledged to this node's publishes. */
  #lastSeq = 0;
  #lastAck = 0;
  #checking: Promise<void> | undefined;
  #delivery: HistoryDelivery | undefined;
  #consumer: ConsumerDelivery | undefined;
  /** The last sequence delivered at the previous check, when the stream held more then. */
  #stalledAt: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #users = 0;

  constructor(
    nc: NatsConnection,
    prefix: string,
    options: NatsHistoryOptions,
    connected: () => boolean,
  ) {
    this.names = historyNames(prefix);
    this.#prefix = prefix;
    this.#nc = nc;
    this.#options = options;
    this.#connected = connected;
    this.#js = jetstream(nc);
  }

  /** The last sequence delivered to this node (0 before any, and in a new epoch). */
  get lastDelivered(): number {
    return this.#lastSeq;
  }

  /** How stored messages reach this node (known once the stream is open). */
  get delivery(): HistoryDelivery | undefined {
    return this.#delivery;
  }

  /** With consumer delivery: the ordered messages of live subject `subject` go to `handler`. */
  route(subject: string, handler: OrderedHandler): void {
    this.#consumerDelivery().route(subject, handler);
  }

  /** Undoes {@link route}. */
  unroute(subject: string, handler: OrderedHandler): void {
    this.#consumer?.unroute(subject, handler);
  }

  /** The JetStream manager (created once; checks that JetStream answers). */
  manager(): Promise<JetStreamManager> {
    if (this.#jsm === undefined) {
      const creating = jetstreamManager(this.#nc);
      this.#jsm = creating;
      creating.catch(() => {
        if (this.#jsm === creating) this.#jsm = undefined;
      });
    }
    return this.#jsm;
  }

  /**
   * Creates the stream and the session bucket, or brings existing ones to this node's settings:
   * history kept `maxDisconnectionMs` + a margin, session records twice as long. Resolves with
   * the epoch and starts the epoch checks.
   */
  async open(maxDisconnectionMs: number): Promise<string> {
    const wanted = maxDisconnectionMs + MAX_AGE_MARGIN_MS;
    if (wanted > this.#maxAgeMs) {
      this.#maxAgeMs = wanted;
      this.#ready = undefined;
    }
    const ttl = 2 * maxDisconnectionMs + MAX_AGE_MARGIN_MS;
    if (ttl > this.#bucketTtlMs) {
      this.#bucketTtlMs = ttl;
      this.#bucket = undefined;
    }
    const [epoch] = await Promise.all([this.#whenReady(), this.sessions()]);
    this.#users++;
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => this.check(), CHECK_EVERY_MS);
      this.#timer.unref();
    }
    return epoch;
  }

  /** A namespace stopped using the stream: the last one stops the checks. */
  release(): void {
    this.#users = Math.max(0, this.#users - 1);
    if (this.#users === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      this.#consumer?.stop();
    }
  }

  /** The session bucket is gone (lost with a memory-storage restart): the next use makes it. */
  bucketLost(): void {
    this.#bucket = undefined;
  }

  /** The session bucket (opened once). */
  sessions(): Promise<KV> {
    if (this.#bucket === undefined) {
      const opening = this.manager().then((jsm) =>
        openSessionBucket(this.#js, jsm, this.names.bucket, this.#options, this.#bucketTtlMs),
      );
      this.#bucket = opening;
      opening.catch(() => {
        if (this.#bucket === opening) this.#bucket = undefined;
      });
    }
    return this.#bucket;
  }

  /**
   * Stores `payload` on a history subject; resolves once JetStream acknowledged it (it is then
   * republished to every subscriber). Refused at once while the connection is down.
   */
  async append(subject: string, payload: Uint8Array): Promise<void> {
    if (!this.#connected()) {
      const message = "not appended to the history: the NATS connection is down";
      throw new NatsAdapterError(NatsAdapterErrorCode.DISCONNECTED, message);
    }
    try {
      const ack = await this.#js.publish(subject, payload, {
        expect: { streamName: this.names.stream },
      });
      // A sequence below an earlier acknowledgement: the stream was re-created.
      if (ack.seq <= this.#lastAck) this.check();
      this.#lastAck = ack.seq;
    } catch (err) {
      // No stream took it (deleted, or lost in a memory-storage restart): make it again.
      if (isNoStream(err)) this.#recreate();
      throw err;
    }
  }

  /** The entries of `subjects` at or after `from`, or why some are gone. */
  async read(subjects: string[], from: LogPosition): Promise<HistoryRead> {
    const jsm = await this.manager();
    const context = { nc: this.#nc, jsm, stream: this.names.stream, timeoutMs: READ_TIMEOUT_MS };
    let entries: HistoryEntry[];
    let info: StreamInfo;
    try {
      const reads = await Promise.all(subjects.map((s) => readSubject(context, s, from.major)));
      entries = reads.flat();
      // After the reads: a front deletion that raced them shows in `first_seq`.
      info = await jsm.streams.info(this.names.stream);
    } catch (err) {
      if (isStreamNotFound(err)) return { ok: false, reason: "epoch" };
      throw err;
    }
    const epoch = epochOf(info);
    if (epoch !== this.#epoch) this.#setEpoch(info);
    // Entries at `from` itself are needed (the rest of a batch); at 0, the first one is.
    if (info.state.first_seq > Math.max(1, from.major)) return { ok: false, reason: "trimmed" };
    return { ok: true, epoch, entries };
  }

  /**
   * Reads the position of a message received on an adapter's subject: undefined for an ordinary
   * message, "malformed" (counted) for a republished one whose headers are not this stream's.
   */
  ordered(headers: MsgHdrs | undefined): OrderedHeader {
    if (headers === undefined || !headers.has("Nats-Stream")) return undefined;
    const seq = parseSequence(headers.get("Nats-Sequence"));
    // Before the stream is open (or when it could not be), positions mean nothing here.
    if (this.#epoch === "") return undefined;
    // With consumer delivery nothing is republished: such headers are someone else's.
    const ours = this.#delivery === "republish" && headers.get("Nats-Stream") === this.names.stream;
    if (!ours || seq === undefined) {
      this.counters.malformed++;
      return "malformed";
    }
    const position = this.#positionOf(seq);
    // The previous message of the same subject (the same log): a gap in it shows a lost copy.
    const last = parseSequence(headers.get("Nats-Last-Sequence"));
    return last === undefined ? position : { ...position, prev: { major: last, minor: 0 } };
  }

  /** The position of sequence `seq`, delivered now (after every lower one). */
  #positionOf(seq: number): DeliveredPosition {
    // Delivered in sequence order: one at or below the last is a new stream.
    if (seq <= this.#lastSeq) this.check();
    this.#lastSeq = seq;
    return { epoch: this.#epoch, major: seq, minor: 0 };
  }

  #consumerDelivery(): ConsumerDelivery {
    this.#consumer ??= new ConsumerDelivery(
      this.#js,
      this.names.stream,
      this.#prefix,
      (seq) => this.#positionOf(seq),
      () => this.#lastSeq,
      () => this.check(),
    );
    return this.#consumer;
  }

  /** Checks now that the stream is the one this node knows (after a reconnect, a regression). */
  check(): void {
    if (this.#checking !== undefined || this.#ready === undefined || !this.#connected()) return;
    const checking = (async () => {
      try {
        const jsm = await this.manager();
        const info = await jsm.streams.info(this.names.stream);
        this.#setEpoch(info);
        this.#watchConsumer(info.state.last_seq);
      } catch (err) {
        if (isStreamNotFound(err)) this.#recreate();
      }
    })();
    this.#checking = checking;
    void checking.finally(() => {
      this.#checking = undefined;
    });
  }

  /**
   * A consumer that delivered nothing between two checks while the stream holds more than it
   * delivered has stalled (seen under heavy load): it is made again, after the last delivered.
   */
  #watchConsumer(lastStored: number): void {
    if (this.#delivery !== "consumer" || lastStored <= this.#lastSeq) {
      this.#stalledAt = undefined;
      return;
    }
    if (this.#stalledAt === this.#lastSeq) this.#consumer?.restart();
    this.#stalledAt = this.#lastSeq;
  }

  #whenReady(): Promise<string> {
    if (this.#ready === undefined) {
      const ensuring = this.#ensure();
      this.#ready = ensuring;
      ensuring.catch(() => {
        if (this.#ready === ensuring) this.#ready = undefined;
      });
    }
    return this.#ready;
  }

  /** Makes the stream again (it is gone); later appends and deliveries use the new epoch. */
  #recreate(): void {
    if (this.#maxAgeMs === 0) return;
    this.#ready = undefined;
    this.#whenReady().catch(() => undefined);
  }

  async #ensure(): Promise<string> {
    const jsm = await this.manager();
    const name = this.names.stream;
    let info: StreamInfo;
    try {
      info = await jsm.streams.info(name);
    } catch (err) {
      if (!isStreamNotFound(err)) throw err;
      try {
        const config = streamConfig(
          this.names,
          this.#options,
          this.#maxAgeMs,
          this.#wantedDelivery(),
        );
        info = await jsm.streams.add(config);
      } catch (addError) {
        // Another node created it in the meantime.
        if (!isApiError(addError, STREAM_NAME_IN_USE)) throw addError;
        info = await jsm.streams.info(name);
      }
    }
    // An existing stream keeps the delivery it was made with (changing it would duplicate or
    // lose messages on the nodes still using the other one).
    const delivery: HistoryDelivery =
      info.config.republish === undefined ? "consumer" : "republish";
    const wanted = this.#options.delivery;
    if (wanted !== undefined && wanted !== delivery) {
      throw new Error(`stream ${name} delivers by ${delivery}, not ${wanted}: delete it to change`);
    }
    const update = changes(
      info.config,
      streamConfig(this.names, this.#options, this.#maxAgeMs, delivery),
    );
    if (update !== undefined) info = await jsm.streams.update(name, update);
    this.#delivery = delivery;
    this.#setEpoch(info);
    if (delivery === "consumer") {
      // What is stored already came before this node: the consumer starts after it.
      if (this.#lastSeq === 0) this.#lastSeq = info.state.last_seq;
      await this.#consumerDelivery().start();
    }
    return this.#epoch;
  }

  /** The delivery of a stream made now: the option, else RePublish from nats-server 2.10 on. */
  #wantedDelivery(): HistoryDelivery {
    const ordered = serverAtLeast(this.#nc.info?.version, 2, 10);
    const wanted = this.#options.delivery ?? (ordered ? "republish" : "consumer");
    if (wanted === "republish" && !ordered) {
      const version = this.#nc.info?.version ?? "unknown";
      throw new Error(
        `RePublish keeps sequence order from nats-server 2.10 on (this is ${version})`,
      );
    }
    return wanted;
  }

  #setEpoch(info: StreamInfo): void {
    const epoch = epochOf(info);
    if (epoch === this.#epoch) return;
    if (this.#epoch !== "") this.counters.epochChanges++;
    this.#epoch = epoch;
    this.#lastSeq = 0;
    this.#lastAck = 0;
    // A consumer of the former stream reads the new one from its start.
    this.#consumer?.restart();
  }
}
