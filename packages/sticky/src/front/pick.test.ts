import { describe, expect, it } from "vitest";
import { type Candidate, pickByHash, pickLeastLoaded, RecentPlacements } from "./pick.js";

const nodes = (...loads: number[]): Candidate[] =>
  loads.map((inFlight, i) => ({ id: `n${i}`, inFlight }));

describe("pickLeastLoaded", () => {
  it("picks the candidate with the fewest in-flight requests", () => {
    expect(pickLeastLoaded(nodes(5, 1, 3), 0)).toBe(1);
  });

  it("rotates among equally loaded candidates with the cursor", () => {
    const picks = [0, 1, 2, 3, 4, 5].map((cursor) => pickLeastLoaded(nodes(0, 0, 0), cursor));
    expect(picks).toEqual([0, 1, 2, 0, 1, 2]);
  });

  it("returns -1 for no candidates and copes with a negative cursor", () => {
    expect(pickLeastLoaded([], 3)).toBe(-1);
    expect(pickLeastLoaded(nodes(1, 0), -7)).toBe(1);
  });
});

describe("pickByHash", () => {
  const keys = Array.from({ length: 300 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);

  it("maps the same key to the same candidate every time", () => {
    for (const key of keys.slice(0, 20))
      expect(pickByHash(nodes(0, 0, 0), key)).toBe(pickByHash(nodes(0, 0, 0), key));
  });

  it("spreads keys over every candidate", () => {
    const counts = [0, 0, 0];
    for (const key of keys)
      counts[pickByHash(nodes(0, 0, 0), key)] = (counts[pickByHash(nodes(0, 0, 0), key)] ?? 0) + 1;
    for (const count of counts) expect(count).toBeGreaterThan(50);
  });

  it("moves only the removed candidate's keys when one candidate leaves", () => {
    const all = nodes(0, 0, 0);
    const without = all.filter((node) => node.id !== "n1");
    for (const key of keys) {
      const before = all[pickByHash(all, key)]?.id;
      const after = without[pickByHash(without, key)]?.id;
      if (before !== "n1") expect(after).toBe(before);
    }
  });

  it("returns -1 for no candidates", () => {
    expect(pickByHash([], "x")).toBe(-1);
  });
});

describe("RecentPlacements", () => {
  it("counts placements for one to two windows, then forgets them", () => {
    const recent = new RecentPlacements(1_000);
    recent.add("a", 10_000);
    recent.add("a", 10_500);
    recent.add("b", 10_900);
    expect(recent.get("a", 10_900)).toBe(2);
    expect(recent.get("a", 11_500)).toBe(2);
    recent.add("a", 11_600);
    expect(recent.get("a", 12_700)).toBe(1);
    expect(recent.get("b", 12_700)).toBe(0);
    expect(recent.get("a", 20_000)).toBe(0);
  });
});
