// The browser variant of runtime.ts (what browser bundles get) behaves like the Node one, minus
// Buffer: same base64 text and validation, `nodebuffer` data left as a Uint8Array.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as browser from "./runtime.browser.js";
import * as node from "./runtime.js";

describe("runtime.browser", () => {
  it("defaults to arraybuffer and knows Blob exists", () => {
    expect(browser.DEFAULT_BINARY_TYPE).toBe("arraybuffer");
    expect(browser.HAS_BLOB).toBe(true);
  });

  it("encodes and decodes base64 like the Node variant, rejecting the same text", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(3), (bytes, start) => {
        const text = browser.encodeBase64(bytes);
        expect(text).toBe(node.encodeBase64(bytes));
        const wire = "b".repeat(start) + text;
        expect(browser.decodeBase64(wire, start)).toEqual(bytes);
      }),
      { seed: 3, numRuns: 200 },
    );
    for (const bad of ["A*==", "AQ ID", "AQI==", "AQIDB", "A==="]) {
      expect(browser.decodeBase64(bad)).toBeUndefined();
    }
  });

  it("converts bytes to each binary type, nodebuffer staying a Uint8Array", async () => {
    const bytes = Uint8Array.from([1, 2, 3, 4]).subarray(1);
    const plain = browser.fromBytes(bytes, "nodebuffer");
    expect(plain).toBe(bytes);
    expect([...new Uint8Array(browser.fromBytes(bytes, "arraybuffer") as ArrayBuffer)]).toEqual([
      2, 3, 4,
    ]);
    const blob = browser.fromBytes(bytes, "blob") as Blob;
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([2, 3, 4]);
  });
});
