import { describe, expect, it } from "vitest";
import { EncodedPacket } from "./encoded-packet.js";

describe("EncodedPacket", () => {
  it("encodes text for polling and websocket", () => {
    const packet = new EncodedPacket("message", "hi");
    expect(packet.pollingText()).toBe("4hi");
    expect(packet.wsData(true)).toBe("4hi");
    expect(packet.sizeHint).toBe(3);
  });

  it("counts text size in UTF-8 bytes", () => {
    expect(new EncodedPacket("message", "€😀").sizeHint).toBe(1 + 3 + 4);
  });

  it("refuses Blob data at construction instead of failing in a later flush", () => {
    expect(() => new EncodedPacket("message", new Blob([new Uint8Array([1])]))).toThrow(
      expect.objectContaining({ code: "SY_ERR_SERVER_INVALID_ARGUMENT" }),
    );
  });

  it("encodes binary raw for websocket and as b<base64> otherwise", () => {
    const packet = new EncodedPacket("message", new Uint8Array([1, 2, 3, 4]));
    expect(packet.pollingText()).toBe("bAQIDBA==");
    expect(packet.wsData(false)).toBe("bAQIDBA==");
    expect([...(packet.wsData(true) as Buffer)]).toEqual([1, 2, 3, 4]);
    expect(packet.isBinary).toBe(true);
  });

  it("builds unmasked frames with the right opcode and caches them per form", () => {
    const packet = new EncodedPacket("message", Buffer.from([7]));
    const raw = Buffer.concat(packet.wsFrame(true) as Buffer[]);
    expect([...raw]).toEqual([0x82, 1, 7]);
    const b64 = Buffer.concat(packet.wsFrame(false) as Buffer[]);
    expect(b64.toString("latin1")).toBe("\x81\x05bBw==");
    expect(packet.wsFrame(true)).toBe(packet.wsFrame(true));
    expect(packet.wsFrame(false)).toBe(packet.wsFrame(false));
  });

  it("uses the 16-bit length form past 125 bytes", () => {
    const frame = Buffer.concat(
      new EncodedPacket("message", "x".repeat(200)).wsFrame(true) as Buffer[],
    );
    expect(frame[1]).toBe(126);
    expect(frame.readUInt16BE(2)).toBe(201);
  });

  it("builds the one-buffer frame byte for byte like ws's header + payload frame", () => {
    const cases = [
      new EncodedPacket("message", "€😀 short"),
      new EncodedPacket("message", "x".repeat(300)),
      new EncodedPacket("message", Buffer.from([1, 2, 3])),
    ];
    for (const packet of cases) {
      for (const supportsBinary of [true, false]) {
        const single = packet.wsFrameBuffer(supportsBinary);
        expect(single).toEqual(Buffer.concat(packet.wsFrame(supportsBinary)));
        expect(packet.wsFrameBuffer(supportsBinary)).toBe(single);
      }
    }
  });

  it("gives no one-buffer frame past 16 KiB of payload", () => {
    expect(new EncodedPacket("message", "x".repeat(16 * 1024)).wsFrameBuffer(true)).toBeUndefined();
  });
});
