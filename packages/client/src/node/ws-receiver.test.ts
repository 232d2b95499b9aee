// Property tests of the lean client's frame parser, as the codecs have: thousands of seeded random
// frame sequences (valid and not: bad opcodes, RSV bits, masks, lengths, close codes, UTF-8),
// split into chunks at random points, give the same messages, pings, close frame and first
// protocol error as `ws`'s own Receiver, and the same whatever the split.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as ws from "ws";
import { Receiver as LeanReceiver, type ReceiverSink } from "./ws-receiver.js";

/** What a parser reported, in order; it stops at the first close frame or error. */
type Event =
  | ["text", string]
  | ["binary", string]
  | ["ping", string]
  | ["close", number, string]
  | ["error", string, number];

/** `ws`'s Receiver (not in its typings): a Writable fed the socket's bytes. */
interface WsReceiver {
  write(chunk: Buffer): boolean;
  on(event: string, listener: (...args: never[]) => void): unknown;
}
const WsReceiverClass = (
  ws as unknown as { Receiver: new (options: Record<string, unknown>) => WsReceiver }
).Receiver;

function closeStatusOf(error: Error): number {
  const symbol = Object.getOwnPropertySymbols(error).find((s) => s.description === "status-code");
  return symbol === undefined ? -1 : ((error as unknown as Record<symbol, number>)[symbol] ?? -1);
}

function runLean(chunks: Buffer[], maxPayload: number): Event[] {
  const events: Event[] = [];
  const sink: ReceiverSink = {
    onText: (text) => events.push(["text", text]),
    onBinary: (data) => events.push(["binary", Buffer.from(data).toString("hex")]),
    onPing: (payload) => events.push(["ping", Buffer.from(payload).toString("hex")]),
    onCloseFrame: (code, reason) => events.push(["close", code, reason]),
    onProtocolError: (err) => events.push(["error", err.code, err.closeCode]),
  };
  const receiver = new LeanReceiver(sink, maxPayload);
  for (const chunk of chunks) receiver.push(chunk);
  return events;
}

async function runWs(chunks: Buffer[], maxPayload: number): Promise<Event[]> {
  const events: Event[] = [];
  let done = false;
  const receiver = new WsReceiverClass({ isServer: false, maxPayload, binaryType: "nodebuffer" });
  receiver.on("message", (data: Buffer, isBinary: boolean) => {
    events.push(isBinary ? ["binary", data.toString("hex")] : ["text", data.toString()]);
  });
  receiver.on("ping", (data: Buffer) => events.push(["ping", data.toString("hex")]));
  receiver.on("conclude", (code: number, reason: Buffer) => {
    done = true;
    events.push(["close", code, reason.toString()]);
  });
  receiver.on("error", (error: Error & { code: string }) => {
    done = true;
    events.push(["error", error.code, closeStatusOf(error)]);
  });
  for (const chunk of chunks) {
    // After a close frame or an error, ws ends the stream; the lean parser ignores the rest.
    if (done) break;
    receiver.write(chunk);
    // ws reports write errors on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return events;
}

/** One frame as a server might send it, right or wrong. */
const frame = fc
  .record({
    fin: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, fc.constant(false)),
    rsv: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, fc.integer({ min: 1, max: 7 })),
    opcode: fc.oneof(
      { weight: 10, arbitrary: fc.constantFrom(0, 1, 2, 8, 9, 10) },
      fc.integer({ min: 0, max: 15 }),
    ),
    masked: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, fc.constant(true)),
    lengthForm: fc.constantFrom("short", "short", "short", "16", "64", "huge"),
    payload: fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.string({ unit: "grapheme", maxLength: 60 }).map((s) => new Uint8Array(Buffer.from(s))),
      // A close payload: a status (valid or not) and a reason (UTF-8 or not).
      fc
        .tuple(
          fc.oneof(
            fc.constantFrom(1000, 1001, 1003, 1011, 3000, 4999),
            fc.integer({ min: 0, max: 0xffff }),
          ),
          fc.oneof(fc.string({ maxLength: 20 }), fc.constant("\uFFFD"), fc.constant("")),
          fc.boolean(),
        )
        .map(([code, reason, broken]) => {
          const text = Buffer.from(reason);
          const bytes = Buffer.concat([
            Buffer.from([code >> 8, code & 0xff]),
            broken ? Buffer.from([0xc3, 0x28]) : text,
          ]);
          return new Uint8Array(bytes);
        }),
    ),
  })
  .map(({ fin, rsv, opcode, masked, lengthForm, payload }) => {
    const length = payload.length;
    const head: number[] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
    const mask = masked ? 0x80 : 0;
    if (lengthForm === "huge") {
      // A 64-bit length beyond 2^53 - 1, or beyond what follows.
      head.push(mask | 127, 0x00, 0x40, 0, 0, 0, 0, 0, 0);
      return Buffer.from(head);
    }
    if (lengthForm === "64" || (lengthForm === "short" && length > 65535)) {
      head.push(mask | 127, 0, 0, 0, 0, 0, 0, (length >> 8) & 0xff, length & 0xff);
    } else if (lengthForm === "16" || length > 125) {
      head.push(mask | 126, (length >> 8) & 0xff, length & 0xff);
    } else {
      head.push(mask | length);
    }
    const key = masked ? [1, 2, 3, 4] : [];
    const body = masked ? payload.map((byte, i) => byte ^ (key[i % 4] as number)) : payload;
    return Buffer.concat([Buffer.from(head), Buffer.from(key), Buffer.from(body)]);
  });

/** Frames, the stream they make, cut at random points. */
const stream = fc
  .tuple(fc.array(frame, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }))
  .map(([frames, cuts]) => {
    const bytes = Buffer.concat(frames);
    const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
    const chunks: Buffer[] = [];
    let from = 0;
    for (const point of [...points, bytes.length]) {
      if (point > from) chunks.push(bytes.subarray(from, point));
      from = point;
    }
    return { bytes, chunks };
  });

const maxPayload = fc.constantFrom(0, 0, 150, 1000);

describe("the lean WebSocket frame parser, generated", () => {
  it("reports what ws's Receiver reports for random frames split at random points", async () => {
    await fc.assert(
      fc.asyncProperty(stream, maxPayload, async ({ chunks }, max) => {
        expect(runLean(chunks, max)).toEqual(await runWs(chunks, max));
      }),
      { numRuns: 2000, seed: 20260716 },
    );
  });

  it("reports the same whether the bytes come in one chunk, at random cuts or one by one", () => {
    fc.assert(
      fc.property(stream, maxPayload, ({ bytes, chunks }, max) => {
        const whole = runLean([bytes], max);
        expect(runLean(chunks, max)).toEqual(whole);
        const bytewise = [...bytes].map((byte) => Buffer.from([byte]));
        expect(runLean(bytewise, max)).toEqual(whole);
      }),
      { numRuns: 2000, seed: 20260717 },
    );
  });
});
