import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64Portable, encodeBase64Portable } from "./base64.js";
import { decodeBase64, encodeBase64 } from "./runtime.js";

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe("encodeBase64", () => {
  it("encodes 1,2,3,4 as AQIDBA== with padding", () => {
    expect(encodeBase64(bytes(1, 2, 3, 4))).toBe("AQIDBA==");
  });

  it("encodes only the bytes of a subarray view, not its whole backing buffer", () => {
    const backing = bytes(9, 9, 1, 2, 3, 4, 9);
    expect(encodeBase64(backing.subarray(2, 6))).toBe("AQIDBA==");
  });

  it("encodes an ArrayBuffer and a DataView over part of one", () => {
    const backing = bytes(9, 1, 2, 3, 4, 9).buffer;
    expect(encodeBase64(bytes(1, 2, 3, 4).buffer)).toBe("AQIDBA==");
    expect(encodeBase64(new DataView(backing, 1, 4))).toBe("AQIDBA==");
  });

  it("encodes an empty input as an empty string", () => {
    expect(encodeBase64(new Uint8Array(0))).toBe("");
    expect(encodeBase64Portable(new Uint8Array(0))).toBe("");
  });
});

describe("decodeBase64", () => {
  it("decodes AQIDBA== to the bytes 1,2,3,4 with both codecs", () => {
    expect([...(decodeBase64("AQIDBA==") ?? [])]).toEqual([1, 2, 3, 4]);
    expect([...(decodeBase64Portable("AQIDBA==") ?? [])]).toEqual([1, 2, 3, 4]);
  });

  it("decodes from a start offset so a packet need not be sliced first", () => {
    expect([...(decodeBase64("bAQIDBA==", 1) ?? [])]).toEqual([1, 2, 3, 4]);
    expect([...(decodeBase64Portable("bAQIDBA==", 1) ?? [])]).toEqual([1, 2, 3, 4]);
  });

  it("accepts unpadded input whose length an encoder can produce", () => {
    expect([...(decodeBase64("AQIDBA") ?? [])]).toEqual([1, 2, 3, 4]);
    expect([...(decodeBase64Portable("AQID") ?? [])]).toEqual([1, 2, 3]);
  });

  it("drops MIME line breaks, as in socket.io-client-java's `bAAEC\\n`", () => {
    for (const decode of [decodeBase64, decodeBase64Portable]) {
      expect([...(decode("AAEC\n") ?? [])]).toEqual([0, 1, 2]);
      expect([...(decode("AQID\r\nBA==\n") ?? [])]).toEqual([1, 2, 3, 4]);
    }
  });

  it.each([
    ["a character outside the alphabet", "A*=="],
    ["a tab", "AQID\t"],
    ["a line break inside otherwise invalid text", "A*\n=="],
    ["a space", "AQ ID"],
    ["URL-safe characters", "-_-_"],
    ["padding in the middle", "AQ==AQ=="],
    ["three padding characters", "A==="],
    ["a padded length that is not a multiple of 4", "AQI=="],
    ["a digit count of 4n+1", "AQIDB"],
    ["a non-ASCII character", "AQIDé"],
  ])("rejects %s with undefined from both codecs", (_label, input) => {
    expect(decodeBase64(input)).toBeUndefined();
    expect(decodeBase64Portable(input)).toBeUndefined();
  });

  it("round-trips random bytes through the Node and the portable codec alike", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (input) => {
        const text = encodeBase64Portable(input);
        expect(text).toBe(encodeBase64(input));
        expect(decodeBase64Portable(text)).toEqual(input);
        expect(Uint8Array.from(decodeBase64(text) ?? [])).toEqual(input);
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  it("encodes inputs above the String.fromCharCode chunk size like Buffer does", () => {
    const large = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) & 255);
    const text = encodeBase64Portable(large);
    expect(text).toBe(Buffer.from(large).toString("base64"));
    expect(decodeBase64Portable(text)).toEqual(large);
  });

  it("decodes the same bytes as Node for any input the portable codec accepts", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."AQIDBw+/=a9*") }), (input) => {
        const portable = decodeBase64Portable(input);
        if (portable !== undefined) {
          expect(Uint8Array.from(Buffer.from(input, "base64"))).toEqual(portable);
        }
        expect(decodeBase64(input) === undefined).toBe(portable === undefined);
      }),
      { seed: 11, numRuns: 1000 },
    );
  });
});
