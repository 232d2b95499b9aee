// The shared RFC 6455 frame-header functions on their own: header sizes, every length form, each
// refusal and the order of the checks. (How the receivers feed them partial headers split across
// chunks is tested with the receivers, against `ws`.)
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeFrame } from "../../../../test/support/ws-frames.js";
import type { FrameFault, FrameFaultReason } from "./fault.js";
import {
  checkFrameStart,
  frameHeaderSize,
  frameLengthEnd,
  isFrameMasked,
  readFramePayloadLength,
  WebSocketOpcode,
} from "./frame-header.js";

const FIN = 0x80;
const MASK = 0x80;
const { CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG } = WebSocketOpcode;
const RESERVED = [3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf];

function refusal(
  reason: FrameFaultReason,
  message: string,
  closeCode: FrameFault["closeCode"] = 1002,
): FrameFault {
  return { reason, message, closeCode };
}

/** A header whose length field says `length` in the 64-bit form: high and low 32-bit words. */
function header64(high: number, low: number, at = 0): Uint8Array {
  const bytes = new Uint8Array(at + 10);
  bytes[at] = FIN | BINARY;
  bytes[at + 1] = 127;
  const view = new DataView(bytes.buffer);
  view.setUint32(at + 2, high);
  view.setUint32(at + 6, low);
  return bytes;
}

describe("frame header sizes", () => {
  it("ends the length field after 2, 4 or 10 bytes, by the 7-bit length", () => {
    for (const length of [0, 1, 100, 125]) {
      expect(frameLengthEnd(length)).toBe(2);
      expect(frameLengthEnd(MASK | length)).toBe(2);
    }
    expect(frameLengthEnd(126)).toBe(4);
    expect(frameLengthEnd(MASK | 126)).toBe(4);
    expect(frameLengthEnd(127)).toBe(10);
    expect(frameLengthEnd(MASK | 127)).toBe(10);
  });

  it("adds the 4-byte mask key to the header when MASK is set", () => {
    expect([frameHeaderSize(5), frameHeaderSize(126), frameHeaderSize(127)]).toEqual([2, 4, 10]);
    expect([
      frameHeaderSize(MASK | 5),
      frameHeaderSize(MASK | 126),
      frameHeaderSize(MASK | 127),
    ]).toEqual([6, 8, 14]);
    expect([isFrameMasked(MASK | 5), isFrameMasked(5), isFrameMasked(0x7f)]).toEqual([
      true,
      false,
      false,
    ]);
  });

  it("gives the size of headers as written on the wire, masked or not, in every length form", () => {
    for (const masked of [false, true]) {
      for (const [length, form, size] of [
        [0, "short", 2],
        [125, "short", 2],
        [126, "short", 4],
        [65535, "short", 4],
        [65536, "short", 10],
        [3, "16", 4],
        [3, "64", 10],
      ] as const) {
        const frame = encodeFrame({
          opcode: BINARY,
          masked,
          lengthForm: form,
          payload: new Uint8Array(length),
        });
        const second = frame[1] as number;
        expect(frameLengthEnd(second)).toBe(size);
        expect(frameHeaderSize(second)).toBe(size + (masked ? 4 : 0));
        expect(frame.length).toBe(frameHeaderSize(second) + length);
      }
    }
  });
});

describe("readFramePayloadLength", () => {
  it("reads every 7-bit length", () => {
    for (let length = 0; length <= 125; length++) {
      expect(readFramePayloadLength(Uint8Array.of(FIN | TEXT, length), 0)).toBe(length);
      expect(readFramePayloadLength(Uint8Array.of(FIN | TEXT, MASK | length), 0)).toBe(length);
    }
  });

  it("reads the 16-bit form, big-endian, including lengths a shorter form could hold", () => {
    expect(readFramePayloadLength(Uint8Array.of(FIN, 126, 0, 0), 0)).toBe(0);
    expect(readFramePayloadLength(Uint8Array.of(FIN, 126, 0, 126), 0)).toBe(126);
    expect(readFramePayloadLength(Uint8Array.of(FIN, MASK | 126, 0x12, 0x34), 0)).toBe(0x1234);
    expect(readFramePayloadLength(Uint8Array.of(FIN, 126, 0xff, 0xff), 0)).toBe(65535);
  });

  it("reads the 64-bit form up to 2^53 - 1, with bytes ≥ 0x80 in either word", () => {
    expect(readFramePayloadLength(header64(0, 65536), 0)).toBe(65536);
    expect(readFramePayloadLength(header64(0, 0xffffffff), 0)).toBe(0xffffffff);
    expect(readFramePayloadLength(header64(1, 0), 0)).toBe(2 ** 32);
    expect(readFramePayloadLength(header64(0x1fffff, 0xffffffff), 0)).toBe(Number.MAX_SAFE_INTEGER);
    expect(readFramePayloadLength(header64(0, 5), 0)).toBe(5);
  });

  it("refuses a 64-bit length above 2^53 - 1 with close status 1009", () => {
    const tooLong = refusal(
      "WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH",
      "Unsupported WebSocket frame: payload length > 2^53 - 1",
      1009,
    );
    for (const high of [0x200000, 0x400000, 0x7fffffff, 0x80000000, 0xffffffff]) {
      expect(readFramePayloadLength(header64(high, 0), 0)).toEqual(tooLong);
    }
    const huge = encodeFrame({ opcode: BINARY, lengthForm: "huge", payload: new Uint8Array(0) });
    expect(readFramePayloadLength(huge, 0)).toEqual(tooLong);
  });

  it("reads the header where it starts in a larger buffer, whatever lies around it", () => {
    const bytes = header64(0, 70000, 3);
    bytes.fill(0xff, 0, 3);
    expect(readFramePayloadLength(bytes, 3)).toBe(70000);
    const short = Uint8Array.of(0xff, 0xff, FIN, 126, 0x01, 0x00, 0xff);
    expect(readFramePayloadLength(short, 2)).toBe(256);
  });

  it("reads back any safe length written in any form that holds it", () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.nat(3), (length, offset) => {
        const forms: number[][] = [];
        if (length <= 125) forms.push([length]);
        if (length <= 0xffff) forms.push([126, length >> 8, length & 0xff]);
        const high = Math.floor(length / 2 ** 32);
        const low = length % 2 ** 32;
        const wide = header64(high, low);
        forms.push([...wide.subarray(1)]);
        for (const form of forms) {
          const bytes = Uint8Array.from([
            ...new Array<number>(offset).fill(0xaa),
            FIN | BINARY,
            ...form,
          ]);
          expect(readFramePayloadLength(bytes, offset)).toBe(length);
        }
      }),
      { numRuns: 2000, seed: 20261209 },
    );
  });
});

describe("checkFrameStart", () => {
  it("accepts text and binary frames, final or not, outside a message", () => {
    for (const opcode of [TEXT, BINARY]) {
      for (const fin of [0, FIN]) {
        for (const second of [0, 125, 126, 127, MASK | 126]) {
          expect(checkFrameStart(fin | opcode, second, false)).toBeUndefined();
        }
      }
    }
  });

  it("accepts continuation frames, final or not, inside a message", () => {
    expect(checkFrameStart(CONTINUATION, 127, true)).toBeUndefined();
    expect(checkFrameStart(FIN | CONTINUATION, 3, true)).toBeUndefined();
  });

  it("accepts final control frames of up to 125 bytes inside and outside a message", () => {
    for (const opcode of [CLOSE, PING, PONG]) {
      for (const length of [0, 2, 125]) {
        expect(checkFrameStart(FIN | opcode, length, false)).toBeUndefined();
        expect(checkFrameStart(FIN | opcode, MASK | length, true)).toBeUndefined();
      }
    }
    expect(checkFrameStart(FIN | PING, 1, false)).toBeUndefined();
    expect(checkFrameStart(FIN | PONG, 1, false)).toBeUndefined();
  });

  it("leaves the MASK bit to the caller", () => {
    for (const first of [FIN | TEXT, FIN | PING, 0x40 | TEXT, FIN | 3]) {
      expect(checkFrameStart(first, MASK | 5, false)).toEqual(checkFrameStart(first, 5, false));
    }
  });

  it("refuses RSV2 and RSV3, then RSV1 (no extension is negotiated)", () => {
    const rsv23 = refusal("WS_ERR_UNEXPECTED_RSV_2_3", "RSV2 and RSV3 must be clear");
    const rsv1 = refusal("WS_ERR_UNEXPECTED_RSV_1", "RSV1 must be clear");
    expect(checkFrameStart(FIN | 0x10 | TEXT, 5, false)).toEqual(rsv23);
    expect(checkFrameStart(FIN | 0x20 | TEXT, 5, false)).toEqual(rsv23);
    expect(checkFrameStart(FIN | 0x70 | TEXT, 5, false)).toEqual(rsv23);
    expect(checkFrameStart(FIN | 0x40 | TEXT, 5, false)).toEqual(rsv1);
    // Before any opcode rule.
    expect(checkFrameStart(0x20 | PING, 126, false)).toEqual(rsv23);
    expect(checkFrameStart(0x40 | 3, 5, false)).toEqual(rsv1);
  });

  it("refuses reserved opcodes, inside a message or not", () => {
    for (const opcode of RESERVED) {
      for (const inMessage of [false, true]) {
        expect(checkFrameStart(FIN | opcode, 5, inMessage)).toEqual(
          refusal("WS_ERR_INVALID_OPCODE", `invalid opcode ${opcode}`),
        );
      }
    }
  });

  it("refuses a continuation frame outside a message and a data frame inside one", () => {
    expect(checkFrameStart(FIN | CONTINUATION, 5, false)).toEqual(
      refusal("WS_ERR_INVALID_OPCODE", "invalid opcode 0"),
    );
    expect(checkFrameStart(TEXT, 5, true)).toEqual(
      refusal("WS_ERR_INVALID_OPCODE", "invalid opcode 1"),
    );
    expect(checkFrameStart(FIN | BINARY, 5, true)).toEqual(
      refusal("WS_ERR_INVALID_OPCODE", "invalid opcode 2"),
    );
  });

  it("refuses a control frame without FIN, before looking at its length", () => {
    for (const opcode of [CLOSE, PING, PONG]) {
      expect(checkFrameStart(opcode, 5, false)).toEqual(
        refusal("WS_ERR_EXPECTED_FIN", "FIN must be set"),
      );
      expect(checkFrameStart(opcode, 127, true)).toEqual(
        refusal("WS_ERR_EXPECTED_FIN", "FIN must be set"),
      );
    }
  });

  it("refuses a control frame with an extended length, and a close frame of one byte", () => {
    for (const opcode of [CLOSE, PING, PONG]) {
      for (const length of [126, 127]) {
        expect(checkFrameStart(FIN | opcode, MASK | length, false)).toEqual(
          refusal("WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH", `invalid payload length ${length}`),
        );
      }
    }
    expect(checkFrameStart(FIN | CLOSE, 1, false)).toEqual(
      refusal("WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH", "invalid payload length 1"),
    );
  });
});
