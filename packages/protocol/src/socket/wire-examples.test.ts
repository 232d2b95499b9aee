// Every wire example of docs/protocol.md §2.2 (EIO `4` prefix stripped), encoded and decoded.

import { describe, expect, it } from "vitest";
import { Decoder } from "./decoder.js";
import { Encoder } from "./encoder.js";
import { type Packet, PacketType } from "./packet.js";

const textExamples: Array<[string, Packet]> = [
  ["0", { type: PacketType.CONNECT, nsp: "/" }],
  ['0{"token":"123"}', { type: PacketType.CONNECT, nsp: "/", data: { token: "123" } }],
  ["0/admin,", { type: PacketType.CONNECT, nsp: "/admin" }],
  ['0{"sid":"wZX3oN0bSVIhsaknAAAI"}', { type: 0, nsp: "/", data: { sid: "wZX3oN0bSVIhsaknAAAI" } }],
  ['0/admin,{"sid":"abc"}', { type: PacketType.CONNECT, nsp: "/admin", data: { sid: "abc" } }],
  ['4{"message":"Not authorized"}', { type: 4, nsp: "/", data: { message: "Not authorized" } }],
  [
    '4/random,{"message":"Invalid namespace"}',
    { type: PacketType.CONNECT_ERROR, nsp: "/random", data: { message: "Invalid namespace" } },
  ],
  ["1", { type: PacketType.DISCONNECT, nsp: "/" }],
  ["1/admin,", { type: PacketType.DISCONNECT, nsp: "/admin" }],
  ['2["foo"]', { type: PacketType.EVENT, nsp: "/", data: ["foo"] }],
  ['2/admin,["bar"]', { type: PacketType.EVENT, nsp: "/admin", data: ["bar"] }],
  ['212["foo"]', { type: PacketType.EVENT, nsp: "/", id: 12, data: ["foo"] }],
  ['3/admin,13["bar"]', { type: PacketType.ACK, nsp: "/admin", id: 13, data: ["bar"] }],
];

describe("Socket.IO wire examples (docs/protocol.md §2.2)", () => {
  it.each(textExamples)("encodes the packet of %s to exactly that string", (wire, packet) => {
    expect(new Encoder().encode(packet)).toEqual([wire]);
  });

  it.each(textExamples)("decodes %s to its packet", (wire, packet) => {
    const result = new Decoder().add(wire);
    expect(result).toEqual({ ok: true, packet });
  });

  it("decodes 0/admin (no trailing comma) as a CONNECT to /admin", () => {
    expect(new Decoder().add("0/admin")).toEqual({
      ok: true,
      packet: { type: PacketType.CONNECT, nsp: "/admin" },
    });
  });

  it('encodes a binary event as 51-["baz",{placeholder 0}] plus the buffer', () => {
    const buffer = Uint8Array.of(1, 2, 3);
    const chunks = new Encoder().encode({ type: 2, nsp: "/", data: ["baz", buffer] });
    expect(chunks).toEqual(['51-["baz",{"_placeholder":true,"num":0}]', buffer]);
    expect(chunks[1]).toBe(buffer);
  });

  it("decodes 51-[...] plus one binary chunk to an EVENT carrying the buffer", () => {
    const decoder = new Decoder();
    expect(decoder.add('51-["baz",{"_placeholder":true,"num":0}]')).toEqual({ ok: true });
    const buffer = Uint8Array.of(9);
    const result = decoder.add(buffer);
    expect(result).toEqual({ ok: true, packet: { type: 2, nsp: "/", data: ["baz", buffer] } });
    expect(result.ok && (result.packet?.data as unknown[] | undefined)?.[1]).toBe(buffer);
  });

  it("encodes a binary ack on /admin as 61-/admin,1[{placeholder 0}] plus the buffer", () => {
    const buffer = new ArrayBuffer(4);
    const chunks = new Encoder().encode({ type: 3, nsp: "/admin", id: 1, data: [buffer] });
    expect(chunks).toEqual(['61-/admin,1[{"_placeholder":true,"num":0}]', buffer]);
  });

  it("decodes 61-/admin,1[...] plus one binary chunk to an ACK with id 1", () => {
    const decoder = new Decoder();
    decoder.add('61-/admin,1[{"_placeholder":true,"num":0}]');
    const buffer = new ArrayBuffer(2);
    expect(decoder.add(buffer)).toEqual({
      ok: true,
      packet: { type: PacketType.ACK, nsp: "/admin", id: 1, data: [buffer] },
    });
  });
});
