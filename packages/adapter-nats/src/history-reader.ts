// Reads one subject of the history stream from a sequence on. JetStream 2.9 has no batched direct
// get, so: an ephemeral push consumer on a fresh inbox (subscribed first), without acks, that
// delivers the messages matching at its creation; then it is deleted. Bounded in time, and a node
// that dies mid-read leaves nothing behind (the server drops the consumer once nobody listens).
import { randomBytes } from "node:crypto";
import { AckPolicy, DeliverPolicy, type JetStreamManager } from "@nats-io/jetstream";
import { createInbox, type NatsConnection, nanos } from "@nats-io/nats-core";
import type { HistoryEntry } from "@switchyard/server";
import { NatsAdapterError, NatsAdapterErrorCode } from "./errors.js";

/** What a read needs: the connection, a JetStream manager and the stream. */
export interface ReadContext {
  nc: NatsConnection;
  jsm: JetStreamManager;
  stream: string;
  /** Bound of the whole read, in ms. */
  timeoutMs: number;
}

/** The entries of `subject` at or after sequence `from`, in sequence order. */
export async function readSubject(
  context: ReadContext,
  subject: string,
  from: number,
): Promise<HistoryEntry[]> {
  const { nc, jsm, stream, timeoutMs } = context;
  const inbox = createInbox();
  const entries: HistoryEntry[] = [];
  let expected: number | undefined;
  let settle: (error?: Error) => void = noop;
  const finished = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  // Awaited below; a timeout that fires before that is not an unhandled rejection.
  finished.catch(noop);
  const check = (): void => {
    if (expected !== undefined && entries.length >= expected) settle();
  };
  const subscription = nc.subscribe(inbox, {
    callback: (err, msg) => {
      if (err !== null) {
        settle(err);
        return;
      }
      const seq = streamSequence(msg.reply);
      if (seq === undefined) return;
      entries.push({ major: seq, minor: 0, payload: msg.data });
      check();
    },
  });
  const name = `sy_read_${randomBytes(8).toString("hex")}`;
  let created = false;
  const timer = setTimeout(() => {
    const message = `reading ${subject} from the history did not complete in ${timeoutMs} ms`;
    settle(new NatsAdapterError(NatsAdapterErrorCode.HISTORY_READ_TIMEOUT, message));
  }, timeoutMs);
  try {
    const info = await jsm.consumers.add(stream, {
      name,
      deliver_subject: inbox,
      filter_subject: subject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: Math.max(1, from),
      ack_policy: AckPolicy.None,
      mem_storage: true,
      num_replicas: 1,
      inactive_threshold: nanos(Math.max(1000, timeoutMs)),
    });
    created = true;
    // Messages delivered before the reply are counted in `delivered`; later ones are not ours.
    expected = info.num_pending + info.delivered.consumer_seq;
    check();
    await finished;
    return entries.slice(0, expected);
  } finally {
    clearTimeout(timer);
    settle();
    if (!subscription.isClosed()) subscription.unsubscribe();
    if (created) jsm.consumers.delete(stream, name).catch(noop);
  }
}

/**
 * The stream sequence in a push delivery's reply subject:
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>`, or (newer servers)
 * `$JS.ACK.<domain>.<account>.<stream>.<consumer>.<delivered>.<sseq>.…`.
 */
export function streamSequence(reply: string | undefined): number | undefined {
  if (reply === undefined || !reply.startsWith("$JS.ACK.")) return undefined;
  const tokens = reply.split(".");
  const token = tokens.length === 9 ? tokens[5] : tokens.length >= 11 ? tokens[7] : undefined;
  return parseSequence(token);
}

const DIGITS = /^[1-9][0-9]{0,15}$/;

/** A positive safe integer written in decimal, or undefined. */
export function parseSequence(text: string | undefined | null): number | undefined {
  if (text === undefined || text === null || !DIGITS.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

function noop(): void {}
