import { encode } from "@msgpack/msgpack";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeSessionRecord, encodeSessionRecord, type SessionRecord } from "./session-record.js";

const record: SessionRecord = {
  sid: "s",
  pid: "p",
  rooms: ["s", "lobby"],
  floors: [[1, 0, 0], null],
  since: [0, 0, 0],
  data: { user: "ann", bytes: new Uint8Array([1, 2]) },
  node: "n",
  live: true,
  at: 1_700_000_000_000,
};

describe("session records", () => {
  it("round-trip, binary data included", () => {
    expect(decodeSessionRecord(encodeSessionRecord(record))).toEqual(record);
  });

  it("keep an ArrayBuffer in socket.data an ArrayBuffer (msgpack alone makes it an empty map)", () => {
    const data = { key: new Uint8Array([4, 5]).buffer };
    const restored = decodeSessionRecord(encodeSessionRecord({ ...record, data }))?.data as {
      key: unknown;
    };
    expect(restored.key).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(restored.key as ArrayBuffer)]).toEqual([4, 5]);
  });

  it("refuse a record of the wrong shape (the store is shared: its bytes are peer input)", () => {
    const bad: unknown[] = [
      { ...record, v: 2 },
      { ...record, rooms: [1] },
      { ...record, floors: [[1, 0, 0]] },
      { ...record, floors: [[1, 0], null] },
      { ...record, floors: [[-1, 0, 0], null] },
      { ...record, since: "x" },
      { ...record, live: "yes" },
      { ...record, at: Number.NaN },
      [record],
      "record",
    ];
    for (const value of bad) {
      const bytes = encode(
        typeof value === "object" && value !== null && !Array.isArray(value)
          ? { v: 1, ...value }
          : value,
      );
      expect(decodeSessionRecord(bytes)).toBeUndefined();
    }
  });

  it("never throw on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(() => decodeSessionRecord(bytes)).not.toThrow();
      }),
    );
  });

  it("refuse data msgpack cannot hold when encoding (the caller reports it)", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(() => encodeSessionRecord({ ...record, data: cyclic })).toThrow();
  });
});
