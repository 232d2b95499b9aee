import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readOrdered } from "./redis-bus.js";

const ordered = (header: string, payload = [1, 2]): Uint8Array =>
  Uint8Array.from([0xc1, ...Buffer.from(header, "latin1"), ...payload]);

describe("ordered messages on a Redis channel", () => {
  it("read the epoch, the position and the log's previous entry", () => {
    expect(readOrdered(ordered("ep0 1700000000000-3 1699999999999-0 "))).toEqual({
      payload: Uint8Array.from([1, 2]),
      position: {
        epoch: "ep0",
        major: 1_700_000_000_000,
        minor: 3,
        prev: { major: 1_699_999_999_999, minor: 0 },
      },
    });
  });

  it("refuse malformed headers (the bus passes them on unordered, the adapter counts them)", () => {
    for (const header of [
      "",
      "ep 1-0 ",
      "ep 1-0 0-0",
      "ep x-0 0-0 ",
      "ep 1-0 0-x ",
      " 1-0 0-0 ",
      "ep 99999999999999999-0 0-0 ",
    ]) {
      expect(readOrdered(ordered(header))).toBeUndefined();
    }
  });

  it("never throw on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        expect(() => readOrdered(Uint8Array.from([0xc1, ...bytes]))).not.toThrow();
      }),
    );
  });
});
