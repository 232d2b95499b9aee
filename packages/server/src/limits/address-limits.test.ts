import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { InvalidArgumentError } from "../engine/errors.js";
import {
  ADDRESS_LIMIT_DEFAULTS,
  AddressLimiter,
  createAddressLimiter,
  refuseHandshake,
  resolveAddressLimits,
} from "./address-limits.js";
import { clientAddressOf } from "./client-address.js";

const req = (peer: string, forwarded?: string | string[]): IncomingMessage =>
  ({
    socket: { remoteAddress: peer },
    headers: forwarded === undefined ? {} : { "x-forwarded-for": forwarded },
  }) as unknown as IncomingMessage;

describe("resolveAddressLimits", () => {
  it("fills the defaults, is off with false, refuses nonsense", () => {
    expect(resolveAddressLimits(undefined)).toEqual(ADDRESS_LIMIT_DEFAULTS);
    expect(resolveAddressLimits(false)).toBeUndefined();
    expect(resolveAddressLimits({ maxConnections: 5 })?.maxConnections).toBe(5);
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => resolveAddressLimits({ maxConnections: bad })).toThrow(InvalidArgumentError);
    }
    expect(() => resolveAddressLimits({ handshakeBurst: 0.5 })).toThrow(InvalidArgumentError);
  });

  it("resolves trustForwardedFor to a hop count: false 0, true 1, an integer up to 32", () => {
    const hops = (trustForwardedFor: boolean | number) =>
      resolveAddressLimits({ trustForwardedFor })?.trustForwardedFor;
    expect([hops(false), hops(true), hops(0), hops(2), hops(32)]).toEqual([0, 1, 0, 2, 32]);
    for (const bad of [-1, 1.5, 33, Number.NaN, "1" as unknown as number]) {
      expect(() => hops(bad)).toThrow(/trustForwardedFor must be a boolean or an integer/);
    }
  });
});

describe("AddressLimiter", () => {
  it("counts connections per address and refuses past maxConnections", () => {
    const limiter = new AddressLimiter({ ...ADDRESS_LIMIT_DEFAULTS, maxConnections: 2 });
    limiter.opened("a");
    limiter.opened("a");
    expect(limiter.admit("a", false)).toBe("connections");
    expect(limiter.admit("b", false)).toBeUndefined();
    limiter.closed("a");
    expect(limiter.admit("a", false)).toBeUndefined();
    limiter.closed("a");
    expect(limiter.trackedAddresses).toBe(0);
    // Without a peer address (a Unix socket) there is nothing to limit.
    for (let i = 0; i < 3; i++) limiter.opened("");
    expect(limiter.admit("", true)).toBeUndefined();
    expect(limiter.trackedAddresses).toBe(0);
    expect(limiter.counters).toEqual({ connections: 1, "handshake-rate": 0 });
  });

  it("refuses handshakes past the burst of one address only, as a 429 error", () => {
    const limiter = createAddressLimiter({ handshakesPerSecond: 0.001, handshakeBurst: 2 });
    if (limiter === undefined) throw new Error("limiter expected");
    expect(refuseHandshake(limiter, req("10.0.0.1"))).toBeUndefined();
    expect(refuseHandshake(limiter, req("10.0.0.1"))).toBeUndefined();
    const error = refuseHandshake(limiter, req("10.0.0.1"));
    expect(error?.status).toBe(429);
    expect(error?.code).toBe("SY_ERR_ENGINE_TOO_MANY_REQUESTS");
    expect(error?.engineCode).toBe(4);
    expect(error?.clientMessage).toBe("Too many handshakes from this address");
    expect(error?.context).toMatchObject({ name: "HANDSHAKE_RATE", address: "10.0.0.1" });
    expect(refuseHandshake(limiter, req("10.0.0.2"))).toBeUndefined();
  });
});

describe("clientAddressOf", () => {
  it("uses the peer unless X-Forwarded-For is trusted, then its right-most valid entry", () => {
    expect(clientAddressOf(req("10.0.0.1", "1.2.3.4"), false)).toBe("10.0.0.1");
    expect(clientAddressOf(req("10.0.0.1", "1.2.3.4, 5.6.7.8"), true)).toBe("5.6.7.8");
    expect(clientAddressOf(req("10.0.0.1", ["1.2.3.4", "::1"]), true)).toBe("::1");
    expect(clientAddressOf(req("10.0.0.1"), true)).toBe("10.0.0.1");
    expect(clientAddressOf(req("10.0.0.1", "1.2.3.4, junk"), true)).toBe("10.0.0.1");
    expect(clientAddressOf(req("10.0.0.1", Array(40).fill("1.1.1.1").join(",")), true)).toBe(
      "10.0.0.1",
    );
  });

  it("behind n trusted proxies, takes the n-th entry from the right (the left-most if fewer)", () => {
    // A TLS proxy appended the client (5.6.7.8), the balancer appended the proxy (10.0.0.9).
    const chain = "1.2.3.4, 5.6.7.8, 10.0.0.9";
    expect(clientAddressOf(req("10.0.0.1", chain), 1)).toBe("10.0.0.9");
    expect(clientAddressOf(req("10.0.0.1", chain), 2)).toBe("5.6.7.8");
    expect(clientAddressOf(req("10.0.0.1", chain), 0)).toBe("10.0.0.1");
    expect(clientAddressOf(req("10.0.0.1", "5.6.7.8"), 2)).toBe("5.6.7.8");
    expect(clientAddressOf(req("10.0.0.1", "junk, 10.0.0.9"), 2)).toBe("10.0.0.1");
  });
});
