import { describe, expect, it } from "vitest";
import { fromBytes } from "./runtime.js";
import { toArrayBuffer, toBytes } from "./to-bytes.js";

describe("toBytes", () => {
  it("views exactly the bytes of a DataView without copying", () => {
    const backing = Uint8Array.from([9, 1, 2, 9]);
    const view = toBytes(new DataView(backing.buffer, 1, 2));
    expect([...view]).toEqual([1, 2]);
    backing[1] = 7;
    expect(view[0]).toBe(7);
  });
});

describe("toArrayBuffer", () => {
  it("returns the backing buffer itself when the view spans all of it", () => {
    const bytes = Uint8Array.from([1, 2, 3]);
    expect(toArrayBuffer(bytes)).toBe(bytes.buffer);
  });

  it("copies out exactly the view's bytes of a larger buffer", () => {
    const bytes = Uint8Array.from([9, 1, 2, 9]).subarray(1, 3);
    expect([...new Uint8Array(toArrayBuffer(bytes))]).toEqual([1, 2]);
  });
});

describe("fromBytes", () => {
  it("converts to a Buffer, an ArrayBuffer and a Blob with the same bytes", async () => {
    const bytes = Uint8Array.from([1, 2, 3, 4]).subarray(1);
    const buffer = fromBytes(bytes, "nodebuffer");
    expect(Buffer.isBuffer(buffer)).toBe(true);
    expect([...(buffer as Buffer)]).toEqual([2, 3, 4]);
    const arrayBuffer = fromBytes(bytes, "arraybuffer");
    expect([...new Uint8Array(arrayBuffer as ArrayBuffer)]).toEqual([2, 3, 4]);
    const blob = fromBytes(bytes, "blob") as Blob;
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([2, 3, 4]);
  });
});
