// Differential tests: our Engine.IO codec against the official engine.io-parser 5.2.3 on thousands
// of seeded random inputs. Every place where we deliberately differ is asserted explicitly.
import * as eio from "engine.io-parser";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProtocolErrorCode } from "../errors.js";
import {
  decodeEnginePacket,
  type EnginePacket,
  EnginePacketTypes,
  encodeEnginePacket,
} from "./packet.js";
import { decodeEnginePayload, encodeEnginePayload, RECORD_SEPARATOR } from "./payload.js";

const RUNS = { seed: 42, numRuns: 2000 } as const;

/** Independent oracle for the base64 we accept: standard alphabet, padding optional. */
const STRICT_BASE64_TEXT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
/** Standard base64, where line breaks (MIME) are ignored. */
const STRICT_BASE64 = {
  test: (text: string) => STRICT_BASE64_TEXT.test(text.replace(/[\r\n]/g, "")),
};

function officialEncodePacket(packet: EnginePacket, supportsBinary: boolean): unknown {
  let out: unknown;
  eio.encodePacket(packet as eio.Packet, supportsBinary, (encoded) => {
    out = encoded;
  });
  return out;
}

function officialEncodePayload(packets: EnginePacket[]): string | undefined {
  let out: string | undefined;
  eio.encodePayload(packets as eio.Packet[], (encoded) => {
    out = encoded;
  });
  return out;
}

/** Bytes in every shape a caller may pass: a view with a byteOffset, an ArrayBuffer, a DataView. */
const binaryArb = fc
  .tuple(fc.uint8Array({ maxLength: 64 }), fc.nat(5), fc.constantFrom("u8", "ab", "dv", "buf"))
  .map(([bytes, offset, shape]) => {
    const backing = new Uint8Array(offset + bytes.length + 3).fill(0xee);
    backing.set(bytes, offset);
    const view = backing.subarray(offset, offset + bytes.length);
    if (shape === "ab") return view.slice().buffer;
    if (shape === "dv") return new DataView(backing.buffer, offset, bytes.length);
    if (shape === "buf") return Buffer.from(backing.buffer, offset, bytes.length);
    return view;
  });

const packetArb: fc.Arbitrary<EnginePacket> = fc.oneof(
  fc.record({ type: fc.constantFrom(...EnginePacketTypes) }),
  fc.record({
    type: fc.constantFrom(...EnginePacketTypes),
    data: fc.string({ unit: "binary", maxLength: 40 }),
  }),
  fc.record({ type: fc.constant("message" as const), data: binaryArb }),
);

/** Wire-looking garbage: valid packets, near misses, random base64-ish bodies, random text. */
const rawArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 20 }),
  fc
    .tuple(fc.constantFrom(..."0123456789bB/:a"), fc.string({ unit: "binary", maxLength: 20 }))
    .map(([head, rest]) => head + rest),
  fc
    .string({ unit: fc.constantFrom(..."AQIDBw+/=-_*z9 "), maxLength: 24 })
    .map((body) => `b${body}`),
  fc.uint8Array({ maxLength: 30 }).map((bytes) => `b${Buffer.from(bytes).toString("base64")}`),
);

describe("encoders match engine.io-parser", () => {
  it("produces the same frame as encodePacket for 2,000 random packets, binary or not", () => {
    fc.assert(
      fc.property(packetArb, fc.boolean(), (packet, supportsBinary) => {
        expect(encodeEnginePacket(packet, supportsBinary)).toBe(
          officialEncodePacket(packet, supportsBinary),
        );
      }),
      RUNS,
    );
  });

  it("produces the same body as encodePayload for 2,000 random packet lists", () => {
    fc.assert(
      fc.property(fc.array(packetArb, { minLength: 1, maxLength: 10 }), (packets) => {
        expect(encodeEnginePayload(packets)).toBe(officialEncodePayload(packets));
      }),
      RUNS,
    );
  });

  it("deviates on an empty list: the official callback never fires, we return an empty body", () => {
    expect(officialEncodePayload([])).toBeUndefined();
    expect(encodeEnginePayload([])).toBe("");
  });
});

describe("decoders match engine.io-parser", () => {
  it("accepts and rejects the same 2,000 random strings and decodes them alike", () => {
    fc.assert(
      fc.property(
        rawArb,
        fc.constantFrom("nodebuffer", "arraybuffer") as fc.Arbitrary<"nodebuffer" | "arraybuffer">,
        (raw, binaryType) => {
          const ours = decodeEnginePacket(raw, binaryType);
          const official = eio.decodePacket(raw, binaryType);
          if (raw.startsWith("b") && !STRICT_BASE64.test(raw.slice(1))) {
            // Deviation: Node's lenient base64 decoder accepts anything; we reject non-base64.
            expect(official.type).toBe("message");
            expect(ours.ok ? undefined : ours.error.code).toBe(
              ProtocolErrorCode.ENGINE_INVALID_BASE64,
            );
            return;
          }
          if (official.type === "error") {
            // Both reject; "" gets its own code here where the official parser has one error packet.
            expect(ours.ok).toBe(false);
            expect(ours.ok ? undefined : ours.error.code).toBe(
              raw === ""
                ? ProtocolErrorCode.ENGINE_EMPTY_PACKET
                : ProtocolErrorCode.ENGINE_UNKNOWN_TYPE,
            );
            return;
          }
          expect(ours).toEqual({ ok: true, value: official });
        },
      ),
      RUNS,
    );
  });

  it("decodes 2,000 random raw binary frames to the same data", () => {
    const frameArb = fc
      .tuple(fc.uint8Array({ maxLength: 64 }), fc.boolean())
      .map(([bytes, asBuffer]) => (asBuffer ? Buffer.from(bytes) : bytes.slice().buffer));
    fc.assert(
      fc.property(
        frameArb,
        fc.constantFrom("nodebuffer", "arraybuffer") as fc.Arbitrary<"nodebuffer" | "arraybuffer">,
        (frame, binaryType) => {
          const ours = decodeEnginePacket(frame, binaryType);
          expect(ours).toEqual({ ok: true, value: eio.decodePacket(frame, binaryType) });
        },
      ),
      RUNS,
    );
  });

  it("deviates on a plain Uint8Array subarray for arraybuffer: we keep only the view's bytes", () => {
    const view = Uint8Array.from([9, 1, 2, 9]).subarray(1, 3);
    const official = eio.decodePacket(view, "arraybuffer").data as ArrayBuffer;
    expect(official.byteLength).toBe(4); // the whole backing buffer
    const ours = decodeEnginePacket(view, "arraybuffer");
    expect(ours.ok && [...new Uint8Array(ours.value.data as ArrayBuffer)]).toEqual([1, 2]);
  });

  it("splits 2,000 random payloads like decodePayload and stops at the same bad packet", () => {
    const payloadArb = fc.array(rawArb, { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(payloadArb, (segments) => {
        const payload = segments.join(RECORD_SEPARATOR);
        const ours = decodeEnginePayload(payload, "nodebuffer");
        const official = eio.decodePayload(payload, "nodebuffer");
        // Records as both parsers see them (a segment may itself hold \x1e).
        const records = payload.split(RECORD_SEPARATOR);
        const badBase64 = records.findIndex(
          (r) => r.startsWith("b") && !STRICT_BASE64.test(r.slice(1)),
        );
        const officialError = official.findIndex((p) => p.type === "error");
        if (badBase64 !== -1 && (officialError === -1 || badBase64 < officialError)) {
          // Deviation: we stop at invalid base64, which the official parser decodes leniently.
          expect(ours.packets).toEqual(official.slice(0, badBase64));
          expect(ours.error?.code).toBe(ProtocolErrorCode.ENGINE_INVALID_BASE64);
          return;
        }
        if (officialError === -1) {
          expect(ours).toEqual({ packets: official });
          return;
        }
        expect(ours.packets).toEqual(official.slice(0, officialError));
        expect(ours.error).toBeDefined();
      }),
      RUNS,
    );
  });

  it("round-trips 2,000 random packet lists from our encoder through the official decoder", () => {
    const textArb = fc.string({ unit: "binary", minLength: 1 }).filter((s) => !s.includes("\x1e"));
    const listArb = fc.array(
      fc.oneof(
        fc.record({ type: fc.constantFrom(...EnginePacketTypes), data: textArb }),
        fc.record({ type: fc.constant("message" as const), data: binaryArb }),
      ),
      { minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(listArb, (packets) => {
        const payload = encodeEnginePayload(packets);
        const official = eio.decodePayload(payload, "arraybuffer");
        expect(decodeEnginePayload(payload, "arraybuffer")).toEqual({ packets: official });
      }),
      RUNS,
    );
  });
});
