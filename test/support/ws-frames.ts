// WebSocket frames (RFC 6455 §5.2) for tests, right or wrong: any FIN, RSV bits, opcode, mask and
// length form, for the frame parsers' tests (the server's, the Node client's and the shared
// header functions of @switchyard/protocol) and the engine's; and a stream of frames cut into
// chunks at random points, for the property tests.
import fc from "fast-check";

/** How the payload length is written: the shortest form that holds it (`short`), or a longer one. */
export type LengthForm = "short" | "16" | "64" | "huge";

/** One frame, as it goes on the wire. */
export interface FrameSpec {
  /** @default true */
  fin?: boolean;
  /** RSV1–RSV3 as a 3-bit number (4: RSV1). @default 0 */
  rsv?: number;
  opcode: number;
  /** A client's frames are masked, a server's are not. @default false */
  masked?: boolean;
  /** The mask key. @default 12 34 56 78 */
  key?: ArrayLike<number>;
  /**
   * `16` and `64` write the length in that form even when a shorter one would do; `huge` writes
   * a 64-bit length beyond 2^53 - 1 and no key or payload. @default "short"
   */
  lengthForm?: LengthForm;
  payload: Uint8Array;
}

/** The bytes of one frame (any header, right or wrong). */
export function encodeFrame(frame: FrameSpec): Buffer {
  const { fin = true, rsv = 0, opcode, masked = false, lengthForm = "short", payload } = frame;
  const key = frame.key ?? [0x12, 0x34, 0x56, 0x78];
  const length = payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  const mask = masked ? 0x80 : 0;
  if (lengthForm === "huge") {
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
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const body = payload.map((byte, i) => byte ^ (key[i % 4] as number));
  return Buffer.concat([Buffer.from(head), Buffer.from(Array.from(key)), body]);
}

/** 1 to 8 frames, the stream they make, and that stream cut at up to 6 random points. */
export function frameStream(
  frame: fc.Arbitrary<Buffer>,
): fc.Arbitrary<{ bytes: Buffer; chunks: Buffer[] }> {
  return fc
    .tuple(fc.array(frame, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }))
    .map(([frames, cuts]) => {
      const bytes = Buffer.concat(frames);
      const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort(
        (a, b) => a - b,
      );
      const chunks: Buffer[] = [];
      let from = 0;
      for (const point of [...points, bytes.length]) {
        if (point > from) chunks.push(bytes.subarray(from, point));
        from = point;
      }
      return { bytes, chunks };
    });
}
