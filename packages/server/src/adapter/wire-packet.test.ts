import { Encoder, type Packet, PacketType } from "@switchyard/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  appendArgument,
  checkWirePacket,
  decodeWirePacket,
  lazyPacket,
  WIRE_PACKET_DEFAULTS,
  type WirePacket,
  withArgument,
} from "./wire-packet.js";

const encoder = new Encoder();

function encode(nsp: string, data: unknown[]): WirePacket {
  return encoder.encode({ type: PacketType.EVENT, nsp, data }) as unknown as WirePacket;
}

/** JSON values, with binary attachments (Buffers) anywhere below the event name. */
const jsonish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie("value"), { maxKeys: 4 }),
  ),
})).value;

const namespaces = fc.oneof(
  fc.constant("/"),
  fc.stringMatching(/^\/[a-z0-9_-]{1,12}$/),
  fc.constant("/with space"),
);

const eventData = fc.tuple(fc.string(), fc.array(jsonish, { maxLength: 5 }));

describe("appendArgument", () => {
  it("gives the encoding of the data with the argument appended, binary and namespaces included", () => {
    fc.assert(
      fc.property(namespaces, eventData, fc.string(), (nsp, [name, args], stamp) => {
        const data = [name, ...args];
        const spliced = withArgument(encode(nsp, data), stamp);
        expect(spliced).toEqual(encode(nsp, [...data, stamp]));
      }),
      { numRuns: 500 },
    );
  });

  it("appends to an empty array without a comma", () => {
    expect(appendArgument("2[]", "x")).toBe('2["x"]');
    expect(appendArgument('2/a,["e",[]]', 'q"')).toBe('2/a,["e",[],"q\\""]');
  });
});

describe("checkWirePacket", () => {
  const limits = WIRE_PACKET_DEFAULTS;

  it("accepts what the default encoder writes for the namespace, binary included", () => {
    fc.assert(
      fc.property(namespaces, eventData, (nsp, [name, args]) => {
        expect(checkWirePacket(encode(nsp, [name, ...args]), nsp, limits)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ["not an array", '2["e"]', "shape"],
    ["an empty array", [], "shape"],
    ["a text that is not a string", [42], "shape"],
    ["an attachment that is not binary", ['51-["e",{"_placeholder":true,"num":0}]', "x"], "shape"],
    ["another namespace", ['2/other,["e"]'], "namespace"],
    ["the main namespace's packet", ['2["e"]'], "namespace", "/chat"],
    ["a connect packet", ['0{"sid":"x"}'], "namespace"],
    ["an ack id", ['212["e"]'], "packet"],
    ["a trailing frame separator", ['2["e"]\x1e4x'], "packet"],
    ["a separator inside", ['2["e",1]\x1e2["f"]'], "packet"],
    ["invalid JSON", ['2["e",]'], "packet"],
    ["a raw control character in a string", ['2["e\x1e"]'], "packet"],
    ["no event name", ["2[1]"], "packet"],
    ["an object", ['2{"a":1}'], "packet"],
    ["a reserved event name", ['2["connect"]'], "packet"],
    [
      "a count that does not match the attachments",
      ['52-["e",{"_placeholder":true,"num":0}]', Buffer.from([1])],
      "namespace",
    ],
    [
      "a placeholder out of range",
      ['51-["e",{"_placeholder":true,"num":3}]', Buffer.from([1])],
      "packet",
    ],
  ])("refuses %s", (_what, chunks, problem, nsp = "/") => {
    expect(checkWirePacket(chunks, nsp, limits)).toBe(problem);
  });

  it("refuses a text longer than the limit and too many attachments", () => {
    const text = encode("/", ["e", "x".repeat(100)]);
    expect(checkWirePacket(text, "/", { ...limits, maxLength: 50 })).toBe("limit");
    const binary = encode("/", ["e", Buffer.from([1]), Buffer.from([2])]);
    expect(checkWirePacket(binary, "/", { ...limits, maxAttachments: 1 })).toBe("limit");
    expect(checkWirePacket(binary, "/", { ...limits, maxAttachments: 2 })).toBeUndefined();
  });
});

describe("decodeWirePacket and lazyPacket", () => {
  it("give back the data with its attachments", () => {
    const chunks = encode("/a", ["e", { b: Buffer.from([7, 8]) }, 1]);
    const packet = decodeWirePacket(chunks);
    expect(packet?.nsp).toBe("/a");
    expect(packet?.data).toEqual(["e", { b: Buffer.from([7, 8]) }, 1]);
  });

  it("decodes the lazy packet's data once, on first read", () => {
    const packet: Packet = lazyPacket(withArgument(encode("/", ["e", 1]), "off"), "/");
    expect(packet.type).toBe(PacketType.EVENT);
    const data = packet.data;
    expect(data).toEqual(["e", 1, "off"]);
    expect(packet.data).toBe(data);
  });
});
