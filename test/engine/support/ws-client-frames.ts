// Random WebSocket client frames, right or wrong, for the property tests of the server's
// WebSocket engine (the frame parser's, and the connection's against `ws`'s server).
import fc from "fast-check";
import {
  encodeFrame,
  type FrameSpec,
  frameStream,
  type LengthForm,
} from "../../support/ws-frames.js";

/** A payload: bytes, text, Engine.IO packets, a UTF-8 sequence cut, or a close payload. */
const payload = fc.oneof(
  fc
    .constantFrom("4hello", "2", "3probe", "5", "6", '4{"a":[1,"é"]}', "40", "b4AQID", "9")
    .map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ unit: "grapheme", maxLength: 60 }).map((s) => Buffer.from(s)),
  // "é" cut in two (0xc3 | 0xa9): valid only when both halves end up in one message.
  fc.constantFrom(Buffer.from([0xc3]), Buffer.from([0xa9]), Buffer.from([0xc3, 0x28])),
  // A valid close payload with a reason.
  fc
    .tuple(
      fc.constantFrom(1000, 1001, 1011, 3000, 4999),
      fc.string({ minLength: 1, maxLength: 20 }),
    )
    .map(([code, reason]) =>
      Buffer.concat([Buffer.from([code >> 8, code & 0xff]), Buffer.from(reason)]),
    ),
  fc
    .tuple(
      fc.oneof(
        fc.constantFrom(1000, 1001, 1003, 1005, 1006, 1011, 1015, 2999, 3000, 4999, 5000),
        fc.integer({ min: 0, max: 0xffff }),
      ),
      fc.oneof(fc.string({ maxLength: 20 }), fc.constant("")),
      fc.boolean(),
    )
    .map(([code, reason, broken]) =>
      Buffer.concat([
        Buffer.from([code >> 8, code & 0xff]),
        broken ? Buffer.from([0xc3, 0x28]) : Buffer.from(reason),
      ]),
    ),
);

/** One frame as a client might send it, right or wrong. */
export const clientFrame: fc.Arbitrary<Buffer> = fc
  .record({
    fin: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)),
    rsv: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, fc.integer({ min: 1, max: 7 })),
    opcode: fc.oneof(
      { weight: 10, arbitrary: fc.constantFrom(0, 1, 2, 8, 9, 10) },
      fc.integer({ min: 0, max: 15 }),
    ),
    masked: fc.oneof({ weight: 15, arbitrary: fc.constant(true) }, fc.constant(false)),
    key: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    lengthForm: fc.constantFrom<LengthForm>("short", "short", "short", "16", "64", "huge"),
    payload,
  })
  .map(({ fin, rsv, opcode, masked, key, lengthForm, payload }) =>
    encodeClientFrame({ fin, rsv, opcode, masked, key, lengthForm, payload }),
  );

/** The bytes of one client frame (any header, right or wrong): masked unless `masked: false`. */
export function encodeClientFrame(frame: FrameSpec): Buffer {
  return encodeFrame({ ...frame, masked: frame.masked ?? true });
}

/** Frames, the stream they make, and that stream cut at random points. */
export const clientStream: fc.Arbitrary<{ bytes: Buffer; chunks: Buffer[] }> =
  frameStream(clientFrame);
