import type { IncomingMessage } from "node:http";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { compressBody, negotiateEncoding } from "./polling-compression.js";

const withHeader = (value?: string): IncomingMessage =>
  ({ headers: value === undefined ? {} : { "accept-encoding": value } }) as IncomingMessage;

describe("negotiateEncoding", () => {
  it("honours q-values, wildcards, refusals and the client's order", () => {
    expect(negotiateEncoding(withHeader())).toBeUndefined();
    expect(negotiateEncoding(withHeader("br"))).toBeUndefined();
    expect(negotiateEncoding(withHeader("gzip, deflate, br"))).toBe("gzip");
    expect(negotiateEncoding(withHeader("deflate"))).toBe("deflate");
    expect(negotiateEncoding(withHeader("gzip;q=0.5, deflate;q=0.8"))).toBe("deflate");
    expect(negotiateEncoding(withHeader("gzip;q=0, deflate;q=0"))).toBeUndefined();
    expect(negotiateEncoding(withHeader("*"))).toBe("gzip");
    expect(negotiateEncoding(withHeader("gzip;q=0, *"))).toBe("deflate");
    // Equal q-values: the client's order decides, as officially.
    expect(negotiateEncoding(withHeader("deflate, gzip"))).toBe("deflate");
  });
});

describe("compressBody", () => {
  it("gzips with the zlib options and ignores threshold", async () => {
    const result = await new Promise<Buffer>((resolve, reject) =>
      compressBody("gzip", "hello", { threshold: 1, level: 1 }, (error, data) =>
        error ? reject(error) : resolve(data),
      ),
    );
    expect(gunzipSync(result).toString()).toBe("hello");
  });
});
