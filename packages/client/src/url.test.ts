import { describe, expect, it } from "vitest";
import { decodeQuery, encodeQuery, parseUri, timestamp } from "./url.js";

const page = { protocol: "https:", host: "app.example.com", port: "443" };

describe("parseUri", () => {
  it("takes the namespace from the path and keys managers by host, port and engine path", () => {
    const parsed = parseUri("http://localhost:3000/admin?x=1", "/socket.io");
    expect(parsed).toMatchObject({
      origin: "http://localhost:3000",
      hostname: "localhost",
      port: "3000",
      path: "/admin",
      query: "x=1",
      secure: false,
      id: "http://localhost:3000/socket.io",
    });
  });

  it("fills in the default port of the scheme", () => {
    expect(parseUri("https://example.com").port).toBe("443");
    expect(parseUri("ws://example.com").port).toBe("80");
    expect(parseUri("wss://example.com/").secure).toBe(true);
  });

  it("resolves relative, protocol-relative and protocol-less URIs against the page", () => {
    expect(parseUri("/chat", "", page)).toMatchObject({
      hostname: "app.example.com",
      path: "/chat",
    });
    expect(parseUri("//other.com/x", "", page)).toMatchObject({
      origin: "https://other.com:443",
      hostname: "other.com",
    });
    expect(parseUri("localhost:8080", "", page)).toMatchObject({
      origin: "https://localhost:8080",
      port: "8080",
    });
    expect(parseUri(undefined, "", page)).toMatchObject({ hostname: "app.example.com", path: "/" });
  });

  it("defaults to https for protocol-less URIs without a page", () => {
    expect(parseUri("localhost:8080", "", undefined)).toMatchObject({
      origin: "https://localhost:8080",
      port: "8080",
    });
  });

  it("brackets IPv6 hosts in the cache key and href", () => {
    const parsed = parseUri("http://[::1]:4000/", "/socket.io", undefined);
    expect(parsed.hostname).toBe("::1");
    expect(parsed.id).toBe("http://[::1]:4000/socket.io");
    expect(parsed.origin).toBe("http://[::1]:4000");
  });
});

describe("query codec", () => {
  it("round-trips keys and values that need escaping", () => {
    const query = { a: "1", "b c": "x&y=z", empty: "" };
    expect(decodeQuery(encodeQuery(query))).toEqual(query);
  });

  it("skips undefined values and stringifies the rest", () => {
    expect(encodeQuery({ EIO: 4, transport: "polling", sid: undefined })).toBe(
      "EIO=4&transport=polling",
    );
  });
});

describe("timestamp", () => {
  it("is base-36 time without its first 3 characters followed by 3 random characters", () => {
    const value = timestamp();
    expect(value).toMatch(/^[0-9a-z]+$/);
    expect(value.length).toBe(Date.now().toString(36).length - 3 + 3);
  });
});

describe("parseUri without a URI", () => {
  it("uses http://localhost when there is no page", () => {
    expect(parseUri(undefined, "", undefined)).toMatchObject({
      origin: "http://localhost:80",
      hostname: "localhost",
      port: "80",
      path: "/",
    });
  });
});
