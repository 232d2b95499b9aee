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
});
