import { ADDRESS_LIMIT_DEFAULTS, nodeTag } from "@switchyard/server";
import { describe, expect, it } from "vitest";
import { resolvePrimaryOptions } from "../cluster/primary-options.js";
import { InvalidArgumentError, StickyError, StickyErrorCode } from "../errors.js";
import { DEFAULT_LIMITS, resolveLimits } from "../front/limits.js";
import { resolveBalancerOptions } from "./balancer-options.js";

const upstreams = [{ id: "a", url: "http://127.0.0.1:3000" }];

describe("resolveBalancerOptions", () => {
  it("fills the defaults and computes each upstream's tag and address", () => {
    const options = resolveBalancerOptions({
      upstreams: [
        ...upstreams,
        { id: "b", url: "http://[::1]:4000/ignored" },
        { id: "c", url: "http://h" },
      ],
    });
    expect(options.upstreams).toEqual([
      { id: "a", tag: nodeTag("a"), host: "127.0.0.1", port: 3000 },
      { id: "b", tag: nodeTag("b"), host: "::1", port: 4000 },
      { id: "c", tag: nodeTag("c"), host: "h", port: 80 },
    ]);
    expect(options).toMatchObject({
      port: 0,
      cookie: false,
      newSessions: "least-connections",
      idleTimeoutMs: 60_000,
      limits: DEFAULT_LIMITS,
      healthCheck: { path: "/readyz", intervalMs: 2_000, timeoutMs: 1_000, fall: 2, rise: 1 },
    });
    expect(options.idleTimeoutMs).toBeGreaterThan(45_000);
    expect(resolveBalancerOptions({ upstreams, cookie: true }).cookie).toBe("io");
  });

  it("turns the address limits on by default, reading X-Forwarded-For as the balancer does", () => {
    expect(resolveBalancerOptions({ upstreams }).addressLimits).toEqual(ADDRESS_LIMIT_DEFAULTS);
    const trusted = resolveBalancerOptions({
      upstreams,
      trustForwardedFor: true,
      addressLimits: { maxConnections: 7 },
    }).addressLimits;
    expect(trusted).toMatchObject({ maxConnections: 7, trustForwardedFor: 1 });
    expect(resolveBalancerOptions({ upstreams, addressLimits: false }).addressLimits).toBe(
      undefined,
    );
    expect(resolvePrimaryOptions({}).addressLimits).toEqual(ADDRESS_LIMIT_DEFAULTS);
    expect(() =>
      resolveBalancerOptions({ upstreams, addressLimits: { maxConnections: 0 } }),
    ).toThrow(InvalidArgumentError);
  });

  it("rejects bad options with InvalidArgumentError", () => {
    for (const bad of [
      { upstreams: [] },
      { upstreams, port: 70_000 },
      { upstreams, port: 1.5 },
      { upstreams: [{ id: "", url: "http://h:1" }] },
      { upstreams: [{ id: "a", url: "not a url" }] },
      { upstreams: [{ id: "a", url: "https://h:1" }] },
      { upstreams: [...upstreams, ...upstreams] },
      { upstreams, newSessions: "fastest" as "least-connections" },
      { upstreams, idleTimeoutMs: 0 },
      { upstreams, healthCheck: { path: "readyz" } },
      { upstreams, healthCheck: { intervalMs: -1 } },
      { upstreams, limits: { maxHeaderBytes: 0 } },
      { upstreams, limits: { headersTimeoutMs: 5_000, requestTimeoutMs: 1_000 } },
    ]) {
      expect(() => resolveBalancerOptions(bad), JSON.stringify(bad)).toThrow(InvalidArgumentError);
    }
  });

  it("refuses two upstreams whose ids share a sid tag", () => {
    expect(nodeTag("node-13733")).toBe(nodeTag("node-15187"));
    const collide = () =>
      resolveBalancerOptions({
        upstreams: [
          { id: "node-13733", url: "http://h:1" },
          { id: "node-15187", url: "http://h:2" },
        ],
      });
    expect(collide).toThrow(StickyError);
    expect(collide).toThrow(expect.objectContaining({ code: StickyErrorCode.TAG_COLLISION }));
  });
});

describe("resolveLimits and resolvePrimaryOptions", () => {
  it("keeps given limits and fills the rest", () => {
    expect(resolveLimits({ maxHeaderCount: 10 })).toEqual({
      ...DEFAULT_LIMITS,
      maxHeaderCount: 10,
    });
  });

  it("validates primary options", () => {
    expect(resolvePrimaryOptions({ workers: 2 }).loadBalancingMethod).toBe("least-connection");
    expect(() => resolvePrimaryOptions({ workers: 0 })).toThrow(InvalidArgumentError);
    expect(() => resolvePrimaryOptions({ loadBalancingMethod: "x" as "random" })).toThrow(
      InvalidArgumentError,
    );
    expect(() => resolvePrimaryOptions({ nodeIdPrefix: "" })).toThrow(InvalidArgumentError);
    expect(() => resolvePrimaryOptions({ port: 70_000 })).toThrow("port must be 0–65535");
  });
});
