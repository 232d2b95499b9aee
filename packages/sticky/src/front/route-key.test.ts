import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readRouteKey, resolveCookieName, sidFromCookie, sidFromTarget } from "./route-key.js";

const SID = "AbCd_efgh-ijklmnopqr";

describe("sidFromTarget", () => {
  it("reads the sid query parameter wherever it sits in the query", () => {
    expect(sidFromTarget(`/socket.io/?EIO=4&transport=polling&sid=${SID}`)).toBe(SID);
    expect(sidFromTarget(`/socket.io/?sid=${SID}&EIO=4`)).toBe(SID);
    expect(sidFromTarget(`/x?sid=${SID}&sid=ZZZZZZZZZZZZZZZZZZZZ`)).toBe(SID);
  });

  it("decodes a percent-encoded name or value as engine.io does", () => {
    expect(sidFromTarget(`/socket.io/?%73id=${SID}`)).toBe(SID);
    expect(sidFromTarget(`/socket.io/?sid=${SID.replace("_", "%5F")}`)).toBe(SID);
  });

  it("returns undefined when there is no sid-shaped sid", () => {
    for (const target of [
      undefined,
      "",
      "/",
      "/socket.io/?EIO=4&transport=polling",
      `/socket.io/#?sid=${SID}`,
      `/socket.io/?sid=${SID}x`,
      `/socket.io/?sid=${SID.slice(1)}`,
      "/socket.io/?sid=AbCd_efgh-ijklmnop/r",
      "/socket.io/?sid=AbCd+efgh-ijklmnopqr",
      "/socket.io/?sid=%E0%A4%A",
      "/socket.io/?sid=",
      "/socket.io/?sidd=AbCd_efgh-ijklmnopqr",
      "/?sid=../../../../../../etc/p",
    ]) {
      expect(sidFromTarget(target)).toBeUndefined();
    }
  });

  it("never throws and returns only sid-shaped strings for arbitrary input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
        const sid = sidFromTarget(text);
        return sid === undefined || /^[\w-]{20}$/.test(sid);
      }),
      { numRuns: 500 },
    );
  });
});

describe("sidFromCookie", () => {
  it("reads the named cookie among others, with or without quotes", () => {
    expect(sidFromCookie(`a=1; io=${SID}; b=2`, "io")).toBe(SID);
    expect(sidFromCookie(`io="${SID}"`, "io")).toBe(SID);
    expect(sidFromCookie(`x=1;io=${SID}`, "io")).toBe(SID);
  });

  it("ignores other names, malformed values and empty inputs", () => {
    expect(sidFromCookie(`iox=${SID}`, "io")).toBeUndefined();
    expect(sidFromCookie(`io=${SID}; io=other`, "other")).toBeUndefined();
    expect(sidFromCookie("io=short", "io")).toBeUndefined();
    expect(sidFromCookie(`io="${SID}`, "io")).toBeUndefined();
    expect(sidFromCookie(undefined, "io")).toBeUndefined();
    expect(sidFromCookie(`io=${SID}`, "")).toBeUndefined();
    expect(sidFromCookie(";;;===;", "io")).toBeUndefined();
  });

  it("never throws for arbitrary headers", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (header) => {
        const sid = sidFromCookie(header, "io");
        return sid === undefined || /^[\w-]{20}$/.test(sid);
      }),
    );
  });
});

describe("readRouteKey", () => {
  it("prefers the query sid over the cookie", () => {
    expect(readRouteKey(`/?sid=${SID}`, "io=ZZZZZZZZZZZZZZZZZZZZ", "io")).toEqual({
      sid: SID,
      source: "query",
    });
  });

  it("falls back to the cookie only when a cookie name is configured", () => {
    expect(readRouteKey("/socket.io/?EIO=4", `io=${SID}`, "io")).toEqual({
      sid: SID,
      source: "cookie",
    });
    expect(readRouteKey("/socket.io/?EIO=4", `io=${SID}`, false)).toBeUndefined();
  });
});

describe("resolveCookieName", () => {
  it("reads true as io and false, unset or empty as no cookie", () => {
    expect(resolveCookieName(true)).toBe("io");
    expect(resolveCookieName("sticky")).toBe("sticky");
    for (const none of [false, undefined, ""]) expect(resolveCookieName(none)).toBe(false);
  });
});
