import { describe, expect, it } from "vitest";
import { readStream } from "./redis-history.js";

const info = [Buffer.from("max-deleted-entry-id"), Buffer.from("0-0")];
const ok = (value: unknown) => ({ ok: true as const, value });
const from = { major: 0, minor: 0 };
const b = (text: string): Buffer => Buffer.from(text, "latin1");
const entry = (id: unknown, fields: unknown): unknown[] => [id, fields];

describe("reading a stream's XRANGE reply", () => {
  it("reads positions from the ids' bytes, as Number() reads their digits", () => {
    const payload = b("\x85payload");
    const range = [
      entry(b("1796695828714-0"), [b("d"), payload]),
      entry(b("1-18"), [b("d"), payload]),
      entry(b("999999999999999-999999999999999"), [b("d"), payload]),
      // 16 digits: past what a running sum keeps exact, read by Number().
      entry(b("9007199254740993-1234567890123456"), [b("d"), payload]),
      entry("42-7", [b("d"), payload]),
    ];
    expect(readStream(ok(range), ok(info), from)).toEqual([
      { major: 1796695828714, minor: 0, payload },
      { major: 1, minor: 18, payload },
      { major: 999999999999999, minor: 999999999999999, payload },
      { major: Number("9007199254740993"), minor: Number("1234567890123456"), payload },
      { major: 42, minor: 7, payload },
    ]);
  });

  it("skips what is not an entry: bad ids, no `d` field, odd shapes", () => {
    const payload = b("p");
    const range = [
      entry(b("12345678901234567-0"), [b("d"), payload]),
      entry(b("1-2-3"), [b("d"), payload]),
      entry(b("-1"), [b("d"), payload]),
      entry(b("1-"), [b("d"), payload]),
      entry(b("17"), [b("d"), payload]),
      entry(b("1-x"), [b("d"), payload]),
      entry(b("5-5"), [b("x"), payload]),
      entry(b("6-6"), []),
      entry(b("7-7"), "d"),
      "not an entry",
      entry(b("8-8"), [b("x"), b("y"), b("d"), payload]),
    ];
    expect(readStream(ok(range), ok(info), from)).toEqual([{ major: 8, minor: 8, payload }]);
  });
});
