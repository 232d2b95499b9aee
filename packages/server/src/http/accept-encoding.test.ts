import { describe, expect, it } from "vitest";
import { preferredEncoding } from "./accept-encoding.js";

const SERVE_CLIENT = ["br", "gzip", "deflate"] as const;

describe("preferredEncoding", () => {
  // What socket.io 4.8 serves its client bundle with, for each Accept-Encoding (measured).
  const table: [string | undefined, string | undefined][] = [
    [undefined, undefined],
    ["", undefined],
    ["gzip, deflate, br", "gzip"],
    ["br, gzip", "br"],
    ["gzip;q=1, br;q=0.5", "gzip"],
    ["br;q=0.5, gzip;q=0.5", "br"],
    ["gzip;q=0.5, br;q=0.5", "gzip"],
    ["*", "br"],
    ["*;q=0.5, gzip", "gzip"],
    ["identity", undefined],
    ["gzip;q=0", undefined],
    ["br;q=0, *", "gzip"],
    ["deflate, gzip", "deflate"],
    ["deflate;q=0.9, gzip;q=0.9, br;q=0.8", "deflate"],
    ["identity;q=0, *;q=0", undefined],
    ["GZIP", "gzip"],
    ["x-foo", undefined],
    ["deflate, *;q=0.1", "deflate"],
    ["br;q=0.001, identity;q=0.0005", "br"],
    ["gzip;q=0.5, identity;q=1", "gzip"],
    ["*, gzip;q=0.5", "br"],
  ];

  it.each(table)("Accept-Encoding %j → %s, as the official server chooses", (header, expected) => {
    expect(preferredEncoding(header, SERVE_CLIENT)).toBe(expected);
  });

  it("skips malformed entries and q-values", () => {
    expect(preferredEncoding("gzip;q=abc, deflate", SERVE_CLIENT)).toBe("deflate");
    expect(preferredEncoding(" , ,br ;q=0.2", SERVE_CLIENT)).toBe("br");
    expect(preferredEncoding("g zip, deflate;q=0.1", SERVE_CLIENT)).toBe("deflate");
  });
});
