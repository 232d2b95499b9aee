import { Encoder } from "@msgpack/msgpack";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeOfficialBroadcast,
  decodeOfficialRequest,
  depthOver,
  type OfficialLimits,
} from "./official-message.js";

const limits: OfficialLimits = { maxBytes: 1_048_576, maxDepth: 64 };
const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, "hex"));
const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));

describe("official emitter messages", () => {
  it("decode the bytes @socket.io/redis-emitter 5.1 published for emit('r1', 1) to room1", () => {
    // Captured from the real package on Redis 7.0 (channel socket.io#/#room1#).
    const bytes = hex(
      "93a7656d697474657283a47479706502a46461746192a2723101a36e7370a12f83a5726f6f6d7391a5726f6f6d31a5666c61677380a665786365707490",
    );
    expect(decodeOfficialBroadcast(bytes, limits)).toEqual({
      ok: true,
      message: {
        kind: "broadcast",
        nsp: "/",
        data: ["r1", 1],
        target: { rooms: ["room1"], except: [], flags: {} },
      },
    });
  });

  it("keep binary arguments binary, numeric rooms as strings, and only volatile/compress flags", () => {
    const bytes = new Encoder().encode([
      "u",
      { type: 2, data: ["bin", Buffer.from([1, 2])], nsp: "/" },
      { rooms: [123], except: ["x"], flags: { volatile: true, compress: false, local: true } },
    ]);
    const result = decodeOfficialBroadcast(bytes, limits);
    expect(result).toEqual({
      ok: true,
      message: {
        kind: "broadcast",
        nsp: "/",
        data: ["bin", Uint8Array.from([1, 2])],
        target: { rooms: ["123"], except: ["x"], flags: { volatile: true, compress: false } },
      },
    });
  });

  it("take older ports' shapes: no opts, no except, no nsp, BINARY_EVENT", () => {
    const encoder = new Encoder();
    for (const value of [
      ["u", { type: 2, data: ["e"] }],
      ["u", { type: 5, data: ["e"] }, { rooms: [], flags: {} }],
    ]) {
      const result = decodeOfficialBroadcast(encoder.encode(value), limits);
      expect(result.ok && result.message).toMatchObject({ kind: "broadcast", data: ["e"] });
    }
  });

  it("decode the requests the emitter sends (join, leave, disconnect, serverSideEmit)", () => {
    const opts = { rooms: ["room1"], except: [] };
    expect(decodeOfficialRequest(json({ type: 2, opts, rooms: ["a", "b"] }), limits)).toEqual({
      ok: true,
      message: { kind: "join", target: { ...opts, flags: {} }, rooms: ["a", "b"] },
    });
    expect(decodeOfficialRequest(json({ type: 3, opts, rooms: ["a"] }), limits)).toMatchObject({
      message: { kind: "leave", rooms: ["a"] },
    });
    expect(decodeOfficialRequest(json({ type: 4, opts, close: true }), limits)).toMatchObject({
      message: { kind: "disconnect", close: true },
    });
    const emit = json({ uid: "emitter", type: 6, data: ["sse", 1, { a: 2 }] });
    expect(decodeOfficialRequest(emit, limits)).toEqual({
      ok: true,
      message: { kind: "serverSideEmit", data: ["sse", 1, { a: 2 }] },
    });
  });

  it("drop what emitters never send, over-limit and malformed input, each with its reason", () => {
    const small = { maxBytes: 64, maxDepth: 4 };
    const cases: Array<[Uint8Array, string, typeof decodeOfficialRequest]> = [
      [json({ type: 5, requestId: "x", opts }), "unsupported-type", decodeOfficialRequest],
      [json({ type: 2, opts: { rooms: [[]] }, rooms: [] }), "bad-shape", decodeOfficialRequest],
      [json({ type: 2, opts: { rooms: [] }, rooms: [[[[1]]]] }), "too-deep", decodeOfficialRequest],
      [Buffer.from("{".padEnd(100, " ")), "too-large", decodeOfficialRequest],
      [Buffer.from("{x"), "undecodable", decodeOfficialRequest],
      [
        new Encoder().encode(["u", { type: 2, data: ["newListener"] }]),
        "reserved-event",
        decodeOfficialBroadcast,
      ],
      [
        new Encoder().encode(["u", { type: 2, data: ["e"], nsp: 1 }]),
        "bad-shape",
        decodeOfficialBroadcast,
      ],
      [
        new Encoder().encode(["u", { type: 0, data: ["e"] }]),
        "unsupported-type",
        decodeOfficialBroadcast,
      ],
    ];
    for (const [bytes, reason, decode] of cases) {
      expect(decode(bytes, small)).toEqual({ ok: false, reason });
    }
  });

  it("never throw on random bytes or random msgpack values", () => {
    const encoder = new Encoder();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(() => decodeOfficialBroadcast(bytes, limits)).not.toThrow();
        expect(() => decodeOfficialRequest(bytes, limits)).not.toThrow();
      }),
    );
    fc.assert(
      fc.property(fc.anything({ maxDepth: 5 }), (value) => {
        let bytes: Uint8Array;
        try {
          bytes = encoder.encode(["u", { type: 2, data: ["e", value] }, value]);
        } catch {
          return;
        }
        expect(() => decodeOfficialBroadcast(bytes, limits)).not.toThrow();
        expect(() =>
          decodeOfficialRequest(json({ type: 2, opts: value, rooms: value }), limits),
        ).not.toThrow();
      }),
    );
  });

  it("measure nesting without recursion", () => {
    let deep: unknown = 0;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(depthOver(deep, 64)).toBe(true);
    expect(depthOver([[1], { a: [2] }], 3)).toBe(false);
    expect(depthOver([[1], { a: [[2]] }], 3)).toBe(true);
  });
});

const opts = { rooms: [], except: [] };
