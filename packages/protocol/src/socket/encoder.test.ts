import { describe, expect, it } from "vitest";
import { hasBinary } from "./binary.js";
import { Encoder } from "./encoder.js";
import { PacketType } from "./packet.js";

describe("Encoder", () => {
  it("numbers placeholders depth-first and appends buffers in that order", () => {
    const [a, b, c] = [Uint8Array.of(1), Uint8Array.of(2), new ArrayBuffer(1)];
    const chunks = new Encoder().encode({
      type: PacketType.EVENT,
      nsp: "/",
      data: ["ev", { x: [a, { y: b }] }, c],
    });
    expect(chunks[0]).toBe(
      '53-["ev",{"x":[{"_placeholder":true,"num":0},{"y":{"_placeholder":true,"num":1}}]},{"_placeholder":true,"num":2}]',
    );
    expect(chunks.slice(1)).toEqual([a, b, c]);
  });

  it("does not mutate the caller's data when extracting binary", () => {
    const buffer = Uint8Array.of(1);
    const data = ["ev", { file: buffer }];
    new Encoder().encode({ type: PacketType.EVENT, nsp: "/", data });
    expect(data).toEqual(["ev", { file: buffer }]);
  });

  it("treats an empty namespace like / and omits it", () => {
    expect(new Encoder().encode({ type: PacketType.EVENT, nsp: "", data: ["a"] })).toEqual([
      '2["a"]',
    ]);
  });

  it("omits null data and writes ack id 0", () => {
    expect(new Encoder().encode({ type: PacketType.ACK, nsp: "/", id: 0, data: null })).toEqual([
      "30",
    ]);
  });

  it("passes the replacer to JSON.stringify", () => {
    const encoder = new Encoder((_key, value) => (typeof value === "number" ? value * 2 : value));
    expect(encoder.encode({ type: PacketType.EVENT, nsp: "/", data: ["n", 2] })).toEqual([
      '2["n",4]',
    ]);
  });

  it("follows toJSON when looking for binary, as the official encoder does", () => {
    const buffer = Uint8Array.of(7);
    const wrapped = { toJSON: () => ({ payload: buffer }) };
    const chunks = new Encoder().encode({ type: PacketType.EVENT, nsp: "/", data: ["w", wrapped] });
    expect(chunks).toEqual(['51-["w",{"payload":{"_placeholder":true,"num":0}}]', buffer]);
  });

  it("serialises a Date in binary data as its ISO string", () => {
    const date = new Date(0);
    const chunks = new Encoder().encode({
      type: PacketType.EVENT,
      nsp: "/",
      data: ["d", date, Uint8Array.of(1)],
    });
    expect(chunks[0]).toBe('51-["d","1970-01-01T00:00:00.000Z",{"_placeholder":true,"num":0}]');
  });

  it("keeps a __proto__ own key in binary data instead of changing the prototype", () => {
    const data: unknown[] = ["p", JSON.parse('{"__proto__":{"a":1}}'), Uint8Array.of(1)];
    const chunks = new Encoder().encode({ type: PacketType.EVENT, nsp: "/", data });
    expect(chunks[0]).toBe('51-["p",{"__proto__":{"a":1}},{"_placeholder":true,"num":0}]');
  });

  it("throws a TypeError on circular data without binary", () => {
    const data: unknown[] = ["loop"];
    data.push(data);
    expect(() => new Encoder().encode({ type: PacketType.EVENT, nsp: "/", data })).toThrow(
      TypeError,
    );
  });

  it("throws a TypeError on circular data that also holds binary", () => {
    const node: { bin: Uint8Array; self?: unknown } = { bin: Uint8Array.of(1) };
    node.self = node;
    expect(() =>
      new Encoder().encode({ type: PacketType.ACK, nsp: "/", id: 1, data: [node] }),
    ).toThrow(TypeError);
  });

  it("does not switch CONNECT packets to a binary type", () => {
    const chunks = new Encoder().encode({ type: PacketType.CONNECT, nsp: "/", data: { a: 1 } });
    expect(chunks).toEqual(['0{"a":1}']);
  });
});

describe("hasBinary", () => {
  it.each([
    ["null", null],
    ["a number", 1],
    ["a string", "abc"],
    ["a flat array", ["a", 1, true, null]],
    ["a nested object", { a: { b: [1, { c: "d" }] } }],
    ["a Date", new Date(0)],
  ])("returns false for %s", (_label, value) => {
    expect(hasBinary(value)).toBe(false);
  });

  it.each([
    ["a Uint8Array", Uint8Array.of(1)],
    ["an ArrayBuffer", new ArrayBuffer(1)],
    ["a DataView", new DataView(new ArrayBuffer(1))],
    ["a Blob", new Blob(["x"])],
    ["binary deep in arrays", [[[[new Float32Array(1)]]]]],
    ["binary in an object value", { a: { b: new ArrayBuffer(0) } }],
  ])("returns true for %s", (_label, value) => {
    expect(hasBinary(value)).toBe(true);
  });

  it("throws a TypeError when nesting passes maxDepth", () => {
    expect(() => hasBinary([[[1]]], 2)).toThrow(TypeError);
    expect(hasBinary([[[1]]], 3)).toBe(false);
  });
});
