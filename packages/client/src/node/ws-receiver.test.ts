// Property tests of the lean client's frame parser, as the codecs have: thousands of seeded random
// frame sequences (valid and not: bad opcodes, RSV bits, masks, lengths, close codes, UTF-8),
// split into chunks at random points, give the same messages, pings, close frame and first
// protocol error as `ws`'s own Receiver, and the same whatever the split.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeFrame, frameStream, type LengthForm } from "../../../../test/support/ws-frames.js";
import {
  type ReceiverEvent as Event,
  runWsReceiver,
} from "../../../../test/support/ws-reference-receiver.js";
import { Receiver as LeanReceiver, type ReceiverSink } from "./ws-receiver.js";

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

function runWs(chunks: Buffer[], maxPayload: number): Promise<Event[]> {
  return runWsReceiver(chunks, { isServer: false, maxPayload });
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
    lengthForm: fc.constantFrom<LengthForm>("short", "short", "short", "16", "64", "huge"),
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
  .map(({ fin, rsv, opcode, masked, lengthForm, payload }) =>
    encodeFrame({ fin, rsv, opcode, masked, key: [1, 2, 3, 4], lengthForm, payload }),
  );

/** Frames, the stream they make, cut at random points. */
const stream = frameStream(frame);

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
