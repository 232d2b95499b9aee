import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { forgetQuery, queryOf } from "./request-query.js";

type Carrier = IncomingMessage & { _query?: unknown };

const request = (url: string): Carrier => ({ url }) as Carrier;

describe("queryOf", () => {
  it.each([
    "/engine.io/?EIO=4&transport=polling&t=PQxYz12&sid=abc",
    "/engine.io/?a=1&a=2&b=&c",
    "/engine.io/?__proto__=x&constructor=y&toString=z",
    "/engine.io/?na%20me=v%26al&plus=a+b&bad=%E0%A4%A",
    "/engine.io/?#fragment",
    "/engine.io/",
    "http://example.com/engine.io/?EIO=4&transport=websocket",
  ])("exposes req._query as Object.fromEntries of the parsed query: %s", (url) => {
    const req = request(url);
    const query = queryOf(req);
    const expected = Object.fromEntries(query);
    expect(req._query).toEqual(expected);
    expect(Object.keys(req._query as object)).toEqual(Object.keys(expected));
    expect(Object.getPrototypeOf(req._query)).toBe(Object.prototype);
  });

  it("keeps __proto__ as a plain property, never as the object's prototype", () => {
    const req = request("/engine.io/?__proto__=polluted&EIO=4");
    queryOf(req);
    const plain = req._query as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(plain, "__proto__")?.value).toBe("polluted");
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("parses once per request, and again from req._query after forgetQuery", () => {
    const req = request("/engine.io/?EIO=4&transport=polling");
    const first = queryOf(req);
    expect(queryOf(req)).toBe(first);
    forgetQuery(req);
    (req._query as Record<string, string>)["transport"] = "websocket";
    const again = queryOf(req);
    expect(again).not.toBe(first);
    expect(again.get("transport")).toBe("websocket");
    expect(again.get("EIO")).toBe("4");
  });

  it("takes a query a framework already parsed (string values only)", () => {
    const req = request("/engine.io/?EIO=3");
    req._query = { EIO: "4", transport: "polling", n: 5 };
    const query = queryOf(req);
    expect(query.get("EIO")).toBe("4");
    expect(query.get("transport")).toBe("polling");
    expect(query.has("n")).toBe(false);
  });
});
