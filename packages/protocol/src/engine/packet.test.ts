import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ProtocolErrorCode } from "../errors.js";
import {
  decodeEnginePacket,
  type EnginePacket,
  EnginePacketTypes,
  encodeEnginePacket,
  encodeEnginePacketAsync,
} from "./packet.js";

function decodeOk(
  raw: Parameters<typeof decodeEnginePacket>[0],
  ...rest: ["nodebuffer" | "arraybuffer" | "blob"] | []
): EnginePacket {
  const result = decodeEnginePacket(raw, ...rest);
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}`);
  return result.value;
}

describe("encodeEnginePacket: docs/protocol.md §1.2 wire examples", () => {
  it("writes a message as its digit 4 followed by the text", () => {
    expect(encodeEnginePacket({ type: "message", data: "hello" }, true)).toBe("4hello");
  });

  it("writes the upgrade probes as 2probe and 3probe", () => {
    expect(encodeEnginePacket({ type: "ping", data: "probe" }, true)).toBe("2probe");
    expect(encodeEnginePacket({ type: "pong", data: "probe" }, false)).toBe("3probe");
  });

  it("writes each data-less packet as its single type digit", () => {
    const wire = EnginePacketTypes.map((type) => encodeEnginePacket({ type }, true));
    expect(wire).toEqual(["0", "1", "2", "3", "4", "5", "6"]);
  });

  it("writes empty text data as the digit alone", () => {
    expect(encodeEnginePacket({ type: "message", data: "" }, false)).toBe("4");
  });

  it("sends binary data as the raw frame itself when the transport supports binary", () => {
    const data = Uint8Array.from([1, 2, 3, 4]);
    expect(encodeEnginePacket({ type: "message", data }, true)).toBe(data);
  });

  it("writes binary as b plus base64 with no type digit when binary is not supported", () => {
    const data = Uint8Array.from([1, 2, 3, 4]);
    expect(encodeEnginePacket({ type: "message", data }, false)).toBe("bAQIDBA==");
  });

  it("base64-encodes only the bytes of a subarray view with a byteOffset", () => {
    const data = Uint8Array.from([7, 7, 1, 2, 3, 4, 7]).subarray(2, 6);
    expect(encodeEnginePacket({ type: "message", data }, false)).toBe("bAQIDBA==");
  });

  it("base64-encodes an ArrayBuffer and a DataView window", () => {
    const buffer = Uint8Array.from([0, 1, 2, 3, 4, 0]).buffer;
    expect(encodeEnginePacket({ type: "message", data: buffer.slice(1, 5) }, false)).toBe(
      "bAQIDBA==",
    );
    expect(encodeEnginePacket({ type: "message", data: new DataView(buffer, 1, 4) }, false)).toBe(
      "bAQIDBA==",
    );
  });

  it("throws a TypeError naming the async encoder when a Blob must become base64", () => {
    const data = new Blob([Uint8Array.from([1, 2, 3, 4])]);
    expect(() => encodeEnginePacket({ type: "message", data }, false)).toThrow(
      /encodeEnginePacketAsync/,
    );
  });

  it("sends a Blob as is when binary is supported", () => {
    const data = new Blob(["x"]);
    expect(encodeEnginePacket({ type: "message", data }, true)).toBe(data);
  });
});

describe("encodeEnginePacketAsync", () => {
  it("base64-encodes a Blob as bAQIDBA==", async () => {
    const data = new Blob([Uint8Array.from([1, 2, 3, 4])]);
    await expect(encodeEnginePacketAsync({ type: "message", data }, false)).resolves.toBe(
      "bAQIDBA==",
    );
  });

  it("encodes text exactly like the synchronous encoder", async () => {
    await expect(encodeEnginePacketAsync({ type: "message", data: "hi" }, false)).resolves.toBe(
      "4hi",
    );
  });
});

describe("decodeEnginePacket: valid input", () => {
  it("reads 4hello as a message with the text hello", () => {
    expect(decodeOk("4hello")).toEqual({ type: "message", data: "hello" });
  });

  it("reads 2probe and 3probe as ping and pong carrying probe", () => {
    expect(decodeOk("2probe")).toEqual({ type: "ping", data: "probe" });
    expect(decodeOk("3probe")).toEqual({ type: "pong", data: "probe" });
  });

  it("reads a single digit such as 6 as a packet with no data key at all", () => {
    const packet = decodeOk("6");
    expect(packet).toEqual({ type: "noop" });
    expect("data" in packet).toBe(false);
  });

  it("reads every digit 0-6 as the type at that index", () => {
    expect(["0", "1", "2", "3", "4", "5", "6"].map((raw) => decodeOk(raw).type)).toEqual([
      ...EnginePacketTypes,
    ]);
  });

  it("reads bAQIDBA== as a message with the bytes 1,2,3,4 in a Buffer by default", () => {
    const packet = decodeOk("bAQIDBA==");
    expect(packet.type).toBe("message");
    expect(Buffer.isBuffer(packet.data)).toBe(true);
    expect([...(packet.data as Buffer)]).toEqual([1, 2, 3, 4]);
  });

  it("reads a b packet into an ArrayBuffer of exactly those bytes for binaryType arraybuffer", () => {
    const data = decodeOk("bAQIDBA==", "arraybuffer").data;
    expect(data).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(data as ArrayBuffer)]).toEqual([1, 2, 3, 4]);
  });

  it("reads a b packet into a Blob for binaryType blob", async () => {
    const data = decodeOk("bAQIDBA==", "blob").data;
    expect(data).toBeInstanceOf(Blob);
    expect([...new Uint8Array(await (data as Blob).arrayBuffer())]).toEqual([1, 2, 3, 4]);
  });

  it("reads a bare b as a message with zero bytes", () => {
    expect((decodeOk("b").data as Buffer).length).toBe(0);
  });

  it("reads a raw ArrayBuffer frame as a message and keeps it as is for arraybuffer", () => {
    const buffer = Uint8Array.from([1, 2]).buffer;
    expect(decodeOk(buffer, "arraybuffer")).toEqual({ type: "message", data: buffer });
  });

  it("turns a raw Uint8Array subarray into a Buffer of exactly the view's bytes", () => {
    const view = Uint8Array.from([9, 1, 2, 9]).subarray(1, 3);
    const data = decodeOk(view, "nodebuffer").data;
    expect(Buffer.isBuffer(data)).toBe(true);
    expect([...(data as Buffer)]).toEqual([1, 2]);
  });

  it("turns a raw Buffer slice into an ArrayBuffer without the pooled neighbours", () => {
    const view = Buffer.from([9, 1, 2, 9]).subarray(1, 3);
    const data = decodeOk(view, "arraybuffer").data as ArrayBuffer;
    expect(data.byteLength).toBe(2);
    expect([...new Uint8Array(data)]).toEqual([1, 2]);
  });

  it("turns a raw DataView into a Blob for binaryType blob", async () => {
    const view = new DataView(Uint8Array.from([9, 1, 2]).buffer, 1);
    const data = decodeOk(view, "blob").data as Blob;
    expect([...new Uint8Array(await data.arrayBuffer())]).toEqual([1, 2]);
  });
});

describe("decodeEnginePacket: invalid input", () => {
  it.each([
    ["abc", ProtocolErrorCode.ENGINE_UNKNOWN_TYPE],
    ["9", ProtocolErrorCode.ENGINE_UNKNOWN_TYPE],
    ["7hello", ProtocolErrorCode.ENGINE_UNKNOWN_TYPE],
    ["/", ProtocolErrorCode.ENGINE_UNKNOWN_TYPE],
    ["", ProtocolErrorCode.ENGINE_EMPTY_PACKET],
    ["bA*==", ProtocolErrorCode.ENGINE_INVALID_BASE64],
    ["bAQIDB", ProtocolErrorCode.ENGINE_INVALID_BASE64],
  ])("rejects %j with %s", (raw, code) => {
    const result = decodeEnginePacket(raw);
    expect(result.ok).toBe(false);
    expect(result.ok ? undefined : result.error.code).toBe(code);
  });

  it("rejects a value that is neither text nor binary instead of throwing", () => {
    const result = decodeEnginePacket(42 as unknown as string);
    expect(result.ok ? undefined : result.error.code).toBe(ProtocolErrorCode.ENGINE_UNKNOWN_TYPE);
  });

  // A property run, not a timing: the timeout is only a bound for a loaded machine (it took over
  // 5 s once on a 2-core CI machine busy with process tests).
  it("never throws on arbitrary strings", { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (raw) => {
        decodeEnginePacket(raw);
      }),
      { seed: 3, numRuns: 1000 },
    );
  });
});

describe("round trips", () => {
  const typeArb = fc.constantFrom(...EnginePacketTypes);

  it("decodes every encoded text packet, unicode included, back to the same packet", () => {
    fc.assert(
      fc.property(typeArb, fc.string({ unit: "binary", minLength: 1 }), (type, data) => {
        const wire = encodeEnginePacket({ type, data }, false) as string;
        expect(decodeOk(wire)).toEqual({ type, data });
      }),
      { seed: 42, numRuns: 1000 },
    );
  });

  it("decodes every base64-encoded binary packet back to the same bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(8), (bytes, offset) => {
        const view = new Uint8Array(offset + bytes.length);
        view.set(bytes, offset);
        const wire = encodeEnginePacket({ type: "message", data: view.subarray(offset) }, false);
        const data = decodeOk(wire, "arraybuffer").data as ArrayBuffer;
        expect(new Uint8Array(data)).toEqual(bytes);
      }),
      { seed: 42, numRuns: 1000 },
    );
  });
});
