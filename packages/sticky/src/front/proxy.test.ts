import { describe, expect, it } from "vitest";
import { downstreamHeaders, upstreamHeaders } from "./proxy.js";

describe("upstreamHeaders", () => {
  it("drops hop-by-hop headers, those named by Connection, and incoming forwarding headers", () => {
    const out = upstreamHeaders(
      {
        host: "example.com",
        connection: "keep-alive, X-Secret",
        "keep-alive": "timeout=5",
        "x-secret": "1",
        "transfer-encoding": "chunked",
        "content-type": "text/plain",
        "x-forwarded-for": "6.6.6.6",
        "x-forwarded-proto": "https",
        cookie: "io=abc",
      },
      "203.0.113.9, 127.0.0.1",
      "http",
    );
    expect({ ...out }).toEqual({
      host: "example.com",
      "content-type": "text/plain",
      cookie: "io=abc",
      "x-forwarded-for": "203.0.113.9, 127.0.0.1",
      "x-forwarded-proto": "http",
    });
  });

  it("cannot be tricked into touching the prototype by a __proto__ header", () => {
    const headers = JSON.parse('{"__proto__": "x", "a": "1"}') as Record<string, string>;
    const out = upstreamHeaders(headers, undefined, "http");
    expect(Object.getPrototypeOf(out)).toBeNull();
    expect(out["a"]).toBe("1");
  });
});

describe("downstreamHeaders", () => {
  it("keeps raw names, order and repeated headers, minus connection-level ones", () => {
    expect(
      downstreamHeaders([
        "Set-Cookie",
        "a=1",
        "Connection",
        "keep-alive",
        "Set-Cookie",
        "b=2",
        "Keep-Alive",
        "timeout=5",
        "Transfer-Encoding",
        "chunked",
        "Content-Type",
        "text/plain",
      ]),
    ).toEqual(["Set-Cookie", "a=1", "Set-Cookie", "b=2", "Content-Type", "text/plain"]);
  });
});
