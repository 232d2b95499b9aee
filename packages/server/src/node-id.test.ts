import { describe, expect, it } from "vitest";
import {
  createSidGenerator,
  defaultNodeId,
  nodeTag,
  readSidTag,
  SID_TAG_LENGTH,
} from "./node-id.js";

describe("node id and sid tag", () => {
  it("mints 20 URL-safe characters that start with the node tag", () => {
    const next = createSidGenerator("node-1");
    for (let i = 0; i < 100; i++) {
      const sid = next();
      expect(sid).toMatch(/^[\w-]{20}$/);
      expect(readSidTag(sid)).toBe(nodeTag("node-1"));
    }
  });

  it("never repeats a sid", () => {
    const next = createSidGenerator("n");
    const seen = new Set(Array.from({ length: 10_000 }, () => next()));
    expect(seen.size).toBe(10_000);
  });

  it("derives a stable 4-character tag from the node id", () => {
    expect(nodeTag("alpha")).toBe(nodeTag("alpha"));
    expect(nodeTag("alpha")).toHaveLength(SID_TAG_LENGTH);
    expect(nodeTag("alpha")).toMatch(/^[\w-]{4}$/);
    expect(nodeTag("alpha")).not.toBe(nodeTag("beta"));
  });

  it("spreads tags over many node ids", () => {
    const tags = new Set(Array.from({ length: 1000 }, (_, i) => nodeTag(`pod-${i}`)));
    expect(tags.size).toBeGreaterThan(990);
  });

  it("reads no tag from a string that is not sid-shaped", () => {
    expect(readSidTag("short")).toBeUndefined();
    expect(readSidTag("has spaces in it!!!!")).toBeUndefined();
    expect(readSidTag("a".repeat(21))).toBeUndefined();
  });

  it("defaults to SWITCHYARD_NODE_ID, else hostname-pid", () => {
    expect(defaultNodeId({ SWITCHYARD_NODE_ID: "x1" })).toBe("x1");
    expect(defaultNodeId({})).toMatch(new RegExp(`-${process.pid}$`));
    expect(defaultNodeId({ SWITCHYARD_NODE_ID: "" })).toMatch(new RegExp(`-${process.pid}$`));
  });
});
