// Random WebSocket client frames, right or wrong, for the property tests of the server's
// WebSocket engine (the frame parser's, and the connection's against `ws`'s server).
import fc from "fast-check";

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
    lengthForm: fc.constantFrom("short", "short", "short", "16", "64", "huge"),
    payload,
  })
  .map(({ fin, rsv, opcode, masked, key, lengthForm, payload }) =>
    encodeClientFrame({ fin, rsv, opcode, masked, key, lengthForm, payload }),
  );

/** The bytes of one client frame (any header, right or wrong). */
export function encodeClientFrame(frame: {
  fin?: boolean;
  rsv?: number;
  opcode: number;
  masked?: boolean;
  key?: Uint8Array;
  lengthForm?: string;
  payload: Uint8Array;
}): Buffer {
  const { fin = true, rsv = 0, opcode, masked = true, lengthForm = "short", payload } = frame;
  const key = frame.key ?? new Uint8Array([0x12, 0x34, 0x56, 0x78]);
  const length = payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const mask = masked ? 0x80 : 0;
  if (lengthForm === "huge") {
    // A 64-bit length beyond 2^53 - 1.
    head.push(mask | 127, 0x00, 0x40, 0, 0, 0, 0, 0, 0);
    return Buffer.from(head);
  }
  if (lengthForm === "64" || length > 65535) {
    head.push(mask | 127, 0, 0, 0, 0, (length >>> 24) & 0xff, (length >> 16) & 0xff);
    head.push((length >> 8) & 0xff, length & 0xff);
  } else if (lengthForm === "16" || length > 125) {
    head.push(mask | 126, (length >> 8) & 0xff, length & 0xff);
  } else {
    head.push(mask | length);
  }
  const body = masked ? payload.map((byte, i) => byte ^ (key[i % 4] as number)) : payload;
  return Buffer.concat([Buffer.from(head), masked ? Buffer.from(key) : Buffer.alloc(0), body]);
}

/** Frames, the stream they make, and that stream cut at random points. */
export const clientStream: fc.Arbitrary<{ bytes: Buffer; chunks: Buffer[] }> = fc
  .tuple(
    fc.array(clientFrame, { minLength: 1, maxLength: 8 }),
    fc.array(fc.nat(), { maxLength: 6 }),
  )
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
