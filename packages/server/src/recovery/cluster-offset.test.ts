import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareItems, formatOffset, parseOffset } from "./cluster-offset.js";

const position = fc.record({
  major: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  minor: fc.nat({ max: 1e9 }),
  index: fc.nat({ max: 10_000 }),
});
const epoch = fc.stringMatching(/^[0-9A-Za-z_-]{1,32}$/);

describe("cluster offsets", () => {
  it("read back what they wrote", () => {
    fc.assert(
      fc.property(epoch, position, fc.nat({ max: Number.MAX_SAFE_INTEGER }), (e, remote, own) => {
        const offset = { epoch: e, remote, own };
        expect(parseOffset(formatOffset(offset))).toEqual(offset);
      }),
    );
  });

  it("refuse anything else, and never throw on peer input", () => {
    for (const bad of [
      "",
      "x",
      "a.b.c.d",
      "e.1.2.3.4.5",
      "e.-1.0.0.0",
      "e.1.0.0.zzzzzzzzzzzz",
      "é.1.0.0.0",
      "e.1 .0.0.0",
    ]) {
      expect(parseOffset(bad)).toBeUndefined();
    }
    expect(parseOffset(`${"a".repeat(33)}.1.0.0.0`)).toBeUndefined();
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const parsed = parseOffset(text);
        if (parsed !== undefined) expect(formatOffset(parsed).length).toBeLessThanOrEqual(96);
      }),
    );
  });

  it("order item positions by major, minor, then index", () => {
    const a = { major: 1, minor: 0, index: 5 };
    expect(compareItems(a, { major: 1, minor: 0, index: 6 })).toBeLessThan(0);
    expect(compareItems(a, { major: 1, minor: 1, index: 0 })).toBeLessThan(0);
    expect(compareItems(a, { major: 0, minor: 9, index: 9 })).toBeGreaterThan(0);
    expect(compareItems(a, { ...a })).toBe(0);
  });
});
