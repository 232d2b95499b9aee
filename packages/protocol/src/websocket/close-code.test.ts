import { describe, expect, it } from "vitest";
import { isValidCloseCode } from "./close-code.js";

describe("isValidCloseCode", () => {
  it("accepts exactly 1000–1014 but 1004, 1005, 1006, and 3000–4999", () => {
    const valid: number[] = [];
    for (let code = 0; code <= 0xffff; code++) if (isValidCloseCode(code)) valid.push(code);
    const expected = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014];
    for (let code = 3000; code <= 4999; code++) expected.push(code);
    expect(valid).toEqual(expected);
  });
});
