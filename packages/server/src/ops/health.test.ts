import { describe, expect, it } from "vitest";
import { adapterConnected, checksPass, HEALTH_DEFAULTS, resolveHealthOptions } from "./health.js";

describe("resolveHealthOptions", () => {
  it("is off unless enabled, and fills the defaults", () => {
    expect(resolveHealthOptions(undefined)).toBeUndefined();
    expect(resolveHealthOptions(false)).toBeUndefined();
    expect(resolveHealthOptions(true)).toEqual({ ...HEALTH_DEFAULTS, checks: [] });
    expect(resolveHealthOptions({ readyPath: "/r" })).toEqual({
      healthPath: "/healthz",
      readyPath: "/r",
      checks: [],
    });
  });
});

describe("adapterConnected", () => {
  it("asks adapters that expose a boolean connected/busConnected, trusts the others", () => {
    expect(adapterConnected({})).toBe(true);
    expect(adapterConnected(null)).toBe(true);
    expect(adapterConnected({ connected: false })).toBe(false);
    expect(adapterConnected({ busConnected: false, connected: true })).toBe(false);
    expect(adapterConnected({ connected: "yes" })).toBe(true);
    expect(adapterConnected({ connectionState: "disconnected" })).toBe(false);
    expect(adapterConnected({ connectionState: "connected" })).toBe(true);
  });

  it("waits for a cluster adapter's recovery history to open", () => {
    expect(adapterConnected({ busConnected: true, historyReady: false })).toBe(false);
    expect(adapterConnected({ connectionState: "connected", historyReady: false })).toBe(false);
    expect(adapterConnected({ busConnected: true, historyReady: true })).toBe(true);
  });
});

describe("checksPass", () => {
  it("fails on false or a throw", () => {
    expect(checksPass([])).toBe(true);
    expect(checksPass([() => true])).toBe(true);
    expect(checksPass([() => true, () => false])).toBe(false);
    expect(
      checksPass([
        () => {
          throw new Error("down");
        },
      ]),
    ).toBe(false);
  });
});
