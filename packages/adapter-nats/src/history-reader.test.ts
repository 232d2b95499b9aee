import { describe, expect, it } from "vitest";
import { parseSequence, streamSequence } from "./history-reader.js";

describe("history reads", () => {
  it("takes the stream sequence from a push delivery's reply subject, old and new forms", () => {
    expect(streamSequence("$JS.ACK.S.C.1.42.7.1700000000000000000.3")).toBe(42);
    expect(streamSequence("$JS.ACK.hub.ACC.S.C.1.42.7.1700000000000000000.3.tok")).toBe(42);
    expect(streamSequence("$JS.ACK.hub.ACC.S.C.1.43.7.1700000000000000000.3")).toBe(43);
  });

  it("refuses anything else", () => {
    for (const reply of [undefined, "", "_INBOX.x", "$JS.ACK.S.C.1", "$JS.ACK.S.C.1.x.7.1.3"]) {
      expect(streamSequence(reply)).toBeUndefined();
    }
  });

  it("reads a sequence as a positive safe decimal integer only", () => {
    expect(parseSequence("1")).toBe(1);
    expect(parseSequence("9007199254740991")).toBe(9007199254740991);
    for (const text of ["0", "-1", "01", "1e3", " 1", "abc", "9007199254740993", "", null]) {
      expect(parseSequence(text)).toBeUndefined();
    }
  });
});
