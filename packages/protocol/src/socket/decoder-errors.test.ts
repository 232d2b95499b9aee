// Invalid input of docs/protocol.md §2.4 and hostile input: each is rejected with its code, never thrown.

import { describe, expect, it } from "vitest";
import { ProtocolError, ProtocolErrorCode } from "../errors.js";
import { decodePacketString } from "./decode-string.js";
import { Decoder, type DecoderResult } from "./decoder.js";
import { RESERVED_EVENTS } from "./packet.js";

function codeOf(result: DecoderResult): string | undefined {
  return result.ok ? undefined : result.error.code;
}

const C = ProtocolErrorCode;

describe("Decoder rejects invalid text (docs/protocol.md §2.4)", () => {
  it.each([
    ["abc", C.UNKNOWN_PACKET_TYPE],
    ["7", C.UNKNOWN_PACKET_TYPE],
    ["", C.UNKNOWN_PACKET_TYPE],
    ["5", C.ILLEGAL_ATTACHMENTS],
    ["51", C.ILLEGAL_ATTACHMENTS],
    ["5a-", C.ILLEGAL_ATTACHMENTS],
    ["51.23-", C.ILLEGAL_ATTACHMENTS],
    ["5-[]", C.ILLEGAL_ATTACHMENTS],
    ['511-["a"]', C.TOO_MANY_ATTACHMENTS],
    ["0[]", C.INVALID_PAYLOAD],
    ['0/admin,"x"', C.INVALID_PAYLOAD],
    ["1/admin,{}", C.INVALID_PAYLOAD],
    ["2{}", C.INVALID_PAYLOAD],
    ["2/admin,{}", C.INVALID_PAYLOAD],
    ['2[true,"foo"]', C.INVALID_PAYLOAD],
    ['2[null,"x"]', C.INVALID_PAYLOAD],
    ['2[{"toString":"foo"}]', C.INVALID_PAYLOAD],
    ['2abc["foo"]', C.INVALID_PAYLOAD],
    ['2["foo"', C.INVALID_PAYLOAD],
    ["3{}", C.INVALID_PAYLOAD],
    ["4[1]", C.INVALID_PAYLOAD],
    ['2["connect"]', C.RESERVED_EVENT_NAME],
    ['2["disconnect","x"]', C.RESERVED_EVENT_NAME],
    ['2["newListener"]', C.RESERVED_EVENT_NAME],
  ])("rejects %j with %s", (input, code) => {
    const result = new Decoder().add(input);
    expect(codeOf(result)).toBe(code);
    expect(result.ok || result.error).toBeInstanceOf(ProtocolError);
  });

  it("rejects a reserved name with a message that says the payload is invalid", () => {
    const result = new Decoder().add('2["connect_error"]');
    expect(result.ok ? "" : result.error.message).toMatch(/invalid payload.*reserved/);
  });

  it("accepts exactly maxAttachments attachments and rejects one more", () => {
    const decoder = new Decoder({ maxAttachments: 2 });
    expect(decoder.add('52-["a"]').ok).toBe(true);
    expect(codeOf(new Decoder({ maxAttachments: 2 }).add('53-["a"]'))).toBe(C.TOO_MANY_ATTACHMENTS);
  });

  it("accepts a bare 2 as an EVENT with no data", () => {
    expect(new Decoder().add("2")).toEqual({ ok: true, packet: { type: 2, nsp: "/" } });
  });
});

describe("Decoder rejects out-of-order and unknown chunks", () => {
  it("rejects text while attachments are pending with UNEXPECTED_TEXT", () => {
    const decoder = new Decoder();
    decoder.add('51-["a",{"_placeholder":true,"num":0}]');
    expect(codeOf(decoder.add('2["b"]'))).toBe(C.UNEXPECTED_TEXT);
  });

  it("rejects binary with no pending header with UNEXPECTED_BINARY", () => {
    expect(codeOf(new Decoder().add(Uint8Array.of(1)))).toBe(C.UNEXPECTED_BINARY);
  });

  it.each([
    ["a number", 123],
    ["null", null],
    ["undefined", undefined],
    ["a plain object", { base64: true }],
    ["an array", ["2"]],
  ])("rejects %s with UNKNOWN_CHUNK_TYPE", (_label, chunk) => {
    expect(codeOf(new Decoder().add(chunk))).toBe(C.UNKNOWN_CHUNK_TYPE);
  });

  it.each([
    ['51-["a",{"_placeholder":true,"num":1}]', "out of range"],
    ['51-["a",{"_placeholder":true,"num":-1}]', "negative"],
    ['51-["a",{"_placeholder":true,"num":"0"}]', "a string"],
    ['51-["a",{"_placeholder":true,"num":0.5}]', "not an integer"],
    ['51-["a",{"_placeholder":true}]', "missing"],
    ['51-["a",{"_placeholder":true,"num":{"toString":1}}]', "an object"],
  ])("rejects placeholder num %s (%s) with ILLEGAL_ATTACHMENTS", (header) => {
    const decoder = new Decoder();
    expect(decoder.add(header)).toEqual({ ok: true });
    expect(codeOf(decoder.add(Uint8Array.of(1)))).toBe(C.ILLEGAL_ATTACHMENTS);
  });

  it.each(['50-["a"]', "60-1[]", '500-["a"]'])(
    "rejects the zero attachment count in %s with ILLEGAL_ATTACHMENTS, as the official parser does",
    (input) => {
      expect(codeOf(new Decoder().add(input))).toBe(C.ILLEGAL_ATTACHMENTS);
    },
  );

  it("emits error events with the same ProtocolError it returns", () => {
    const decoder = new Decoder();
    const errors: ProtocolError[] = [];
    decoder.on("error", (error) => errors.push(error));
    const result = decoder.add("9");
    expect(errors).toEqual([result.ok ? undefined : result.error]);
  });
});

describe("Decoder against hostile input", () => {
  it("rejects 100k nested brackets with TOO_DEEP and no stack overflow", () => {
    const input = `2${"[".repeat(100_000)}`;
    expect(codeOf(new Decoder().add(input))).toBe(C.TOO_DEEP);
  });

  it("rejects valid JSON nested one level past maxDepth and accepts maxDepth", () => {
    const nest = (n: number) => `["x",${"[".repeat(n - 1)}${"]".repeat(n - 1)}]`;
    expect(new Decoder({ maxDepth: 5 }).add(`2${nest(5)}`).ok).toBe(true);
    expect(codeOf(new Decoder({ maxDepth: 5 }).add(`2${nest(6)}`))).toBe(C.TOO_DEEP);
  });

  it("ignores brackets inside JSON strings when measuring depth", () => {
    const input = `2["x","${"[".repeat(500)}"]`;
    expect(new Decoder({ maxDepth: 2 }).add(input).ok).toBe(true);
  });

  it("enforces maxDepth on data rebuilt by a reviver during placeholder reconstruction", () => {
    const deep = (n: number): unknown => (n === 0 ? "leaf" : [deep(n - 1)]);
    const decoder = new Decoder({
      maxDepth: 4,
      reviver: (key, value) => (key === "1" ? deep(10) : value),
    });
    decoder.add('51-["a",{"_placeholder":true,"num":0}]');
    expect(codeOf(decoder.add(Uint8Array.of(1)))).toBe(C.TOO_DEEP);
  });

  it("rejects a string longer than maxLength with TOO_LONG before parsing", () => {
    const input = `2["${"x".repeat(2_000_000)}"]`;
    expect(codeOf(new Decoder().add(input))).toBe(C.TOO_LONG);
    expect(codeOf(new Decoder({ maxLength: 5 }).add('2["abc"]'))).toBe(C.TOO_LONG);
  });

  it("does not pollute Object.prototype from __proto__ keys", () => {
    const result = new Decoder().add('2["x",{"__proto__":{"polluted":true}}]');
    expect(result.ok).toBe(true);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("keeps a __proto__ placeholder as an own key instead of swapping the prototype", () => {
    const decoder = new Decoder();
    decoder.add('51-["x",{"__proto__":{"_placeholder":true,"num":0}}]');
    const buffer = Uint8Array.of(1);
    const result = decoder.add(buffer);
    const arg = result.ok ? (result.packet?.data as unknown[] | undefined)?.[1] : undefined;
    expect(Object.getPrototypeOf(arg)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(arg, "__proto__")?.value).toBe(buffer);
  });

  it("stays usable after an error mid-reconstruction", () => {
    const decoder = new Decoder();
    decoder.add('52-["a",{"_placeholder":true,"num":0}]');
    expect(decoder.add("2").ok).toBe(false);
    expect(codeOf(decoder.add(Uint8Array.of(1)))).toBe(C.UNEXPECTED_BINARY);
    expect(decoder.add('2["ok"]')).toEqual({
      ok: true,
      packet: { type: 2, nsp: "/", data: ["ok"] },
    });
  });

  it("drops partial state on destroy and rejects later input with DECODER_DESTROYED", () => {
    const decoder = new Decoder();
    decoder.add('51-["a",{"_placeholder":true,"num":0}]');
    decoder.destroy();
    expect(codeOf(decoder.add(Uint8Array.of(1)))).toBe(C.DECODER_DESTROYED);
    expect(codeOf(decoder.add('2["a"]'))).toBe(C.DECODER_DESTROYED);
  });

  it("never throws on a reviver that throws", () => {
    const decoder = new Decoder({
      reviver: () => {
        throw new Error("boom");
      },
    });
    expect(codeOf(decoder.add('2["a"]'))).toBe(C.INVALID_PAYLOAD);
  });
});

describe("decodePacketString", () => {
  it("returns a BINARY header with attachments set and placeholders intact", () => {
    expect(decodePacketString('62-/x,7[{"_placeholder":true,"num":1}]')).toEqual({
      ok: true,
      value: { type: 6, nsp: "/x", id: 7, attachments: 2, data: [{ _placeholder: true, num: 1 }] },
    });
  });

  it("decodes ack ids longer than 15 digits as Number() does", () => {
    const result = decodePacketString('31234567890123456789["a"]');
    expect(result.ok && result.value.id).toBe(Number("1234567890123456789"));
  });

  it("honours per-call limits", () => {
    const result = decodePacketString('52-["a"]', { maxAttachments: 1 });
    expect(result.ok ? "" : result.error.code).toBe(C.TOO_MANY_ATTACHMENTS);
  });
});

describe("Reserved event names", () => {
  it.each([...RESERVED_EVENTS])("rejects an EVENT named %s with RESERVED_EVENT_NAME", (name) => {
    expect(codeOf(new Decoder().add(`2[${JSON.stringify(name)},1]`))).toBe(C.RESERVED_EVENT_NAME);
  });

  it("accepts event names that only share a prefix or length with reserved ones", () => {
    for (const name of ["connec", "connectX", "disconnect_", "newlistener", "c"]) {
      expect(new Decoder().add(`2[${JSON.stringify(name)}]`).ok, name).toBe(true);
    }
  });
});
