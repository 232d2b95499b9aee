import { describe, expect, it } from "vitest";
import { createBase64Id } from "./base64-id.js";

describe("createBase64Id", () => {
  it("returns 20 URL-safe characters", () => {
    for (let i = 0; i < 1000; i++) expect(createBase64Id()).toMatch(/^[A-Za-z0-9_-]{20}$/);
  });

  it("never repeats within a large sample and steps the 24-bit counter", () => {
    const ids = Array.from({ length: 20_000 }, () => createBase64Id());
    expect(new Set(ids).size).toBe(ids.length);
    const counter = (id: string): number => Buffer.from(id, "base64url").readUIntBE(12, 3);
    const a = counter(ids[0] as string);
    const b = counter(ids[1] as string);
    expect((b - a + 0x1000000) % 0x1000000).toBe(1);
  });
});
