import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SEEN_WINDOW, SeenWindow } from "./seen-window.js";

describe("SeenWindow", () => {
  it("takes each number once, late ones included, and refuses copies", () => {
    const w = new SeenWindow();
    expect([1, 2, 5, 3, 5, 2, 4, 6, 4].map((n) => w.take(n))).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      true,
      true,
      false,
    ]);
  });

  it("counts a number older than the window as seen", () => {
    const w = new SeenWindow();
    expect(w.take(100)).toBe(true);
    expect(w.take(100 - SEEN_WINDOW + 1)).toBe(true);
    expect(w.take(100 - SEEN_WINDOW)).toBe(false);
    expect(w.take(100 + SEEN_WINDOW + 5)).toBe(true);
    expect(w.take(100)).toBe(false);
  });

  it("delivers every number exactly once under any reordering within the window, with copies", () => {
    fc.assert(
      fc.property(
        // Gaps between a publisher's numbers on one log (its other logs take the rest).
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 80 }),
        // How far back each arrival may slip (≤ 7 places × gaps ≤ 3 < the window).
        fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 80 }),
        // Copies: after which arrival a copy of which earlier number comes again.
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 20 }),
        (gaps, slips, copies) => {
          const numbers: number[] = [];
          for (const gap of gaps) numbers.push((numbers.at(-1) ?? 0) + gap);
          const arrivals = numbers
            .map((n, i) => ({ n, key: i + (slips[i] ?? 0) + i / 1000 }))
            .sort((a, b) => a.key - b.key)
            .map(({ n }) => n);
          for (const [after, which] of copies) {
            const at = after % (arrivals.length + 1);
            const earlier = arrivals.slice(0, at);
            if (earlier.length > 0)
              arrivals.splice(at, 0, earlier[which % earlier.length] as number);
          }
          const w = new SeenWindow();
          const delivered = arrivals.filter((n) => w.take(n));
          expect([...delivered].sort((a, b) => a - b)).toEqual(numbers);
        },
      ),
      { numRuns: 500 },
    );
  });
});
