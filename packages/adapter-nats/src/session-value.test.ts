import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeSession, decodeTime, encodeSession, encodeTime } from "./session-value.js";

describe("session bucket entries", () => {
  it("round-trips owner, expiry, claim and value", () => {
    const entry = {
      owner: "0123456789abcdef",
      expiresAt: 1_800_000_000_123,
      claimed: true,
      value: Uint8Array.from([0, 1, 2, 255]),
    };
    expect(decodeSession(encodeSession(entry))).toEqual(entry);
    const empty = { ...entry, claimed: false, value: new Uint8Array(0) };
    expect(decodeSession(encodeSession(empty))).toEqual(empty);
  });

  it("refuses what is not an entry, and never throws on any bytes", () => {
    const good = encodeSession({
      owner: "n",
      expiresAt: 1,
      claimed: false,
      value: new Uint8Array(1),
    });
    expect(decodeSession(new Uint8Array(0))).toBeUndefined();
    expect(decodeSession(Uint8Array.from([2, ...good.subarray(1)]))).toBeUndefined();
    expect(decodeSession(Uint8Array.from([1, 4, ...good.subarray(2)]))).toBeUndefined();
    expect(decodeSession(good.subarray(0, 11))).toBeUndefined();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const decoded = decodeSession(bytes);
        expect(decoded === undefined || typeof decoded.owner === "string").toBe(true);
      }),
    );
  });

  it("keeps a node's sign of life as its time", () => {
    expect(decodeTime(encodeTime(1_700_000_000_000))).toBe(1_700_000_000_000);
    expect(decodeTime(new Uint8Array(7))).toBeUndefined();
  });
});
