import { describe, expect, it } from "vitest";
import { isValidCloseCode, readCloseStatus } from "./close-frame.js";

const strict = new TextDecoder("utf-8", { fatal: true });

/** A UTF-8 validator of the browser's kind (a Node receiver passes node:buffer's isUtf8). */
function isUtf8(bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

describe("isValidCloseCode", () => {
  it("accepts exactly 1000–1014 but 1004, 1005, 1006, and 3000–4999", () => {
    const valid: number[] = [];
    for (let code = 0; code <= 0xffff; code++) if (isValidCloseCode(code)) valid.push(code);
    const expected = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014];
    for (let code = 3000; code <= 4999; code++) expected.push(code);
    expect(valid).toEqual(expected);
  });
});

describe("readCloseStatus", () => {
  it("reads 1005 (no status) from an empty payload", () => {
    expect(readCloseStatus(new Uint8Array(0), isUtf8)).toBe(1005);
  });

  it("reads the big-endian status, with or without a UTF-8 reason", () => {
    expect(readCloseStatus(Uint8Array.of(0x03, 0xe8), isUtf8)).toBe(1000);
    const reason = new TextEncoder().encode("bye é");
    expect(readCloseStatus(Uint8Array.of(0x0f, 0xa0, ...reason), isUtf8)).toBe(4000);
  });

  it("refuses a status a peer may not send with close status 1002, before the reason", () => {
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 0xffff]) {
      expect(readCloseStatus(Uint8Array.of(code >> 8, code & 0xff, 0xc3, 0x28), isUtf8)).toEqual({
        reason: "WS_ERR_INVALID_CLOSE_CODE",
        message: `invalid status code ${code}`,
        closeCode: 1002,
      });
    }
  });

  it("refuses a reason that is not UTF-8 with close status 1007", () => {
    for (const reason of [[0xc3, 0x28], [0xc3], [0xed, 0xa0, 0x80], [0xff]]) {
      expect(readCloseStatus(Uint8Array.of(0x03, 0xe8, ...reason), isUtf8)).toEqual({
        reason: "WS_ERR_INVALID_UTF8",
        message: "invalid UTF-8 sequence",
        closeCode: 1007,
      });
    }
  });

  it("checks only the reason's bytes with the validator it is given", () => {
    const seen: number[][] = [];
    const validator = (bytes: Uint8Array): boolean => {
      seen.push([...bytes]);
      return true;
    };
    expect(readCloseStatus(Uint8Array.of(0x03, 0xe9, 1, 2), validator)).toBe(1001);
    expect(seen).toEqual([[1, 2]]);
  });
});
