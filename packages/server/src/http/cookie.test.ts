import { describe, expect, it } from "vitest";
import { serializeSessionCookie } from "./cookie.js";

describe("serializeSessionCookie", () => {
  it("produces the official default cookie", () => {
    expect(
      serializeSessionCookie("abc", { name: "io", path: "/", httpOnly: true, sameSite: "lax" }),
    ).toBe("io=abc; Path=/; HttpOnly; SameSite=Lax");
  });

  it("adds the optional attributes and omits Path when path is false", () => {
    const cookie = serializeSessionCookie("s", {
      name: "lb",
      path: false,
      httpOnly: false,
      sameSite: "none",
      secure: true,
      domain: "example.com",
      maxAge: 60.5,
      expires: new Date(0),
      partitioned: true,
    });
    expect(cookie).toBe(
      "lb=s; Max-Age=60; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Partitioned; Secure; SameSite=None",
    );
  });

  it("falls back to io for a name that is not a cookie token", () => {
    expect(serializeSessionCookie("s", { name: "bad name;" })).toMatch(/^io=s;/);
  });
});
