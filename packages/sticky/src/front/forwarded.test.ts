import { describe, expect, it } from "vitest";
import {
  appendForwardedFor,
  clientAddress,
  forwardedProto,
  parseForwardedFor,
} from "./forwarded.js";

describe("X-Forwarded-For", () => {
  it("keeps a well-formed chain and appends the peer", () => {
    expect(appendForwardedFor("203.0.113.9, 10.0.0.1", "127.0.0.1")).toBe(
      "203.0.113.9, 10.0.0.1, 127.0.0.1",
    );
    expect(appendForwardedFor(["203.0.113.9", "2001:db8::1"], "::1")).toBe(
      "203.0.113.9, 2001:db8::1, ::1",
    );
    expect(appendForwardedFor(undefined, "127.0.0.1")).toBe("127.0.0.1");
  });

  it("drops a chain with any malformed entry, an empty entry or too many hops", () => {
    expect(appendForwardedFor("not-an-ip", "127.0.0.1")).toBe("127.0.0.1");
    expect(appendForwardedFor("1.2.3.4, , 5.6.7.8", "127.0.0.1")).toBe("127.0.0.1");
    expect(appendForwardedFor("1.2.3.4\r\nX-Evil: 1", "127.0.0.1")).toBe("127.0.0.1");
    expect(appendForwardedFor(Array(40).fill("1.2.3.4").join(","), "127.0.0.1")).toBe("127.0.0.1");
    expect(parseForwardedFor("999.1.1.1")).toBeUndefined();
  });

  it("omits the header when there is nothing valid to send", () => {
    expect(appendForwardedFor("junk", undefined)).toBeUndefined();
    expect(appendForwardedFor(undefined, "not-an-ip")).toBeUndefined();
  });

  it("uses the right-most valid hop as the client only when forwarded headers are trusted", () => {
    expect(clientAddress("203.0.113.9, 10.0.0.1", "127.0.0.1", true)).toBe("10.0.0.1");
    expect(clientAddress("203.0.113.9, 10.0.0.1", "127.0.0.1", false)).toBe("127.0.0.1");
    expect(clientAddress("junk", "127.0.0.1", true)).toBe("127.0.0.1");
    expect(clientAddress(undefined, undefined, true)).toBe("");
  });
});

describe("X-Forwarded-Proto", () => {
  it("passes a trusted https and reports http otherwise", () => {
    expect(forwardedProto("https", true)).toBe("https");
    expect(forwardedProto(" HTTPS ", true)).toBe("https");
    expect(forwardedProto("https", false)).toBe("http");
    expect(forwardedProto("gopher", true)).toBe("http");
    expect(forwardedProto(undefined, true)).toBe("http");
  });
});
