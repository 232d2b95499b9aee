import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProtocolErrorCode } from "../errors.js";
import { EnginePacketTypes } from "./packet.js";
import {
  decodeEnginePayload,
  encodeEnginePayload,
  encodeEnginePayloadAsync,
  RECORD_SEPARATOR,
} from "./payload.js";

describe("encodeEnginePayload", () => {
  it("joins three messages as 4a\\x1e4b\\x1e4c", () => {
    const packets = ["a", "b", "c"].map((data) => ({ type: "message" as const, data }));
    expect(encodeEnginePayload(packets)).toBe("4a\x1e4b\x1e4c");
  });

  it("writes text and binary together as 4hello\\x1ebAQIDBA==", () => {
    const payload = encodeEnginePayload([
      { type: "message", data: "hello" },
      { type: "message", data: Uint8Array.from([1, 2, 3, 4]) },
    ]);
    expect(payload).toBe("4hello\x1ebAQIDBA==");
  });

  it("writes the deferred close after a noop as 6\\x1e1", () => {
    expect(encodeEnginePayload([{ type: "noop" }, { type: "close" }])).toBe("6\x1e1");
  });

  it("writes an empty list as an empty body", () => {
    expect(encodeEnginePayload([])).toBe("");
  });

  it("base64-encodes Blob data in the async variant", async () => {
    const payload = await encodeEnginePayloadAsync([
      { type: "message", data: new Blob([Uint8Array.from([1, 2, 3, 4])]) },
      { type: "ping" },
    ]);
    expect(payload).toBe("bAQIDBA==\x1e2");
  });

  it("throws a TypeError for Blob data in the sync variant", () => {
    expect(() => encodeEnginePayload([{ type: "message", data: new Blob(["x"]) }])).toThrow(
      TypeError,
    );
  });
});

describe("decodeEnginePayload", () => {
  it("splits 4a\\x1e4b\\x1e4c into three messages", () => {
    expect(decodeEnginePayload("4a\x1e4b\x1e4c")).toEqual({
      packets: [
        { type: "message", data: "a" },
        { type: "message", data: "b" },
        { type: "message", data: "c" },
      ],
    });
  });

  it("reads 4hello\\x1ebAQIDBA== as a text message then the bytes 1,2,3,4", () => {
    const { packets, error } = decodeEnginePayload("4hello\x1ebAQIDBA==", "arraybuffer");
    expect(error).toBeUndefined();
    expect(packets[0]).toEqual({ type: "message", data: "hello" });
    expect([...new Uint8Array(packets[1]?.data as ArrayBuffer)]).toEqual([1, 2, 3, 4]);
  });

  it("reads a single packet with no separator", () => {
    expect(decodeEnginePayload("2")).toEqual({ packets: [{ type: "ping" }] });
  });

  it("keeps the packets before a bad one in the middle and stops there", () => {
    const { packets, error } = decodeEnginePayload("4a\x1eabc\x1e4c");
    expect(packets).toEqual([{ type: "message", data: "a" }]);
    expect(error?.code).toBe(ProtocolErrorCode.ENGINE_UNKNOWN_TYPE);
  });

  it("rejects an empty body and an empty record between separators", () => {
    expect(decodeEnginePayload("").error?.code).toBe(ProtocolErrorCode.ENGINE_EMPTY_PACKET);
    const middle = decodeEnginePayload("4a\x1e\x1e4b");
    expect(middle.packets).toHaveLength(1);
    expect(middle.error?.code).toBe(ProtocolErrorCode.ENGINE_EMPTY_PACKET);
  });

  it("rejects invalid base64 in the middle and keeps the packets before it", () => {
    const { packets, error } = decodeEnginePayload("4a\x1ebA*==\x1e4c");
    expect(packets).toHaveLength(1);
    expect(error?.code).toBe(ProtocolErrorCode.ENGINE_INVALID_BASE64);
  });

  it("rejects more packets than maxPackets and returns only the first maxPackets", () => {
    const { packets, error } = decodeEnginePayload("6\x1e6\x1e6\x1e6", "arraybuffer", 3);
    expect(packets).toHaveLength(3);
    expect(error?.code).toBe(ProtocolErrorCode.ENGINE_TOO_MANY_PACKETS);
  });

  it("accepts exactly maxPackets packets", () => {
    expect(decodeEnginePayload("6\x1e6\x1e6", "arraybuffer", 3).error).toBeUndefined();
  });

  it("rejects a body of 10,001 packets under the default limit", () => {
    const payload = Array.from({ length: 10_001 }, () => "6").join(RECORD_SEPARATOR);
    const { packets, error } = decodeEnginePayload(payload);
    expect(packets).toHaveLength(10_000);
    expect(error?.code).toBe(ProtocolErrorCode.ENGINE_TOO_MANY_PACKETS);
  });

  it("splits a message whose text holds \\x1e, as the official parser does", () => {
    const payload = encodeEnginePayload([{ type: "message", data: "x\x1e4y" }]);
    expect(decodeEnginePayload(payload).packets).toEqual([
      { type: "message", data: "x" },
      { type: "message", data: "y" },
    ]);
  });

  it("round-trips random packets whose text holds no record separator", () => {
    const text = fc.string({ unit: "binary", minLength: 1 }).filter((s) => !s.includes("\x1e"));
    const packet = fc.oneof(
      fc.record({ type: fc.constantFrom(...EnginePacketTypes), data: text }),
      fc.record({ type: fc.constant("message" as const), data: fc.uint8Array() }),
    );
    fc.assert(
      fc.property(fc.array(packet, { minLength: 1, maxLength: 8 }), (packets) => {
        const decoded = decodeEnginePayload(encodeEnginePayload(packets), "arraybuffer");
        expect(decoded.error).toBeUndefined();
        const expected = packets.map((p) =>
          typeof p.data === "string" ? p : { type: p.type, data: new Uint8Array(p.data).buffer },
        );
        expect(decoded.packets).toEqual(expected);
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});
