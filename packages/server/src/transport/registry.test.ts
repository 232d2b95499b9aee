import { describe, expect, it } from "vitest";
import { DEFAULT_TRANSPORTS, isTransportName, TRANSPORT_NAMES } from "./names.js";
import { TRANSPORTS, upgradesOf } from "./registry.js";

describe("transport registry", () => {
  it("lists only registered transports as upgrade targets, each served by an HTTP Upgrade", () => {
    for (const kind of Object.values(TRANSPORTS)) {
      for (const target of kind.upgradesTo) {
        expect(isTransportName(target)).toBe(true);
        if (isTransportName(target)) expect(TRANSPORTS[target].handlesUpgrade).toBe(true);
      }
    }
  });

  it("has one entry per transport name, and no other", () => {
    expect(Object.keys(TRANSPORTS).sort()).toEqual([...TRANSPORT_NAMES].sort());
  });

  it("defaults to polling then websocket, as engine.io", () => {
    expect(DEFAULT_TRANSPORTS).toEqual(["polling", "websocket"]);
  });

  it("knows its own names only, not inherited keys", () => {
    expect(isTransportName("polling")).toBe(true);
    expect(isTransportName("websocket")).toBe(true);
    for (const name of ["webtransport", "__proto__", "toString", "", 1]) {
      expect(isTransportName(name)).toBe(false);
    }
  });

  it("offers only the enabled upgrade targets, none from websocket", () => {
    expect(upgradesOf("polling", ["polling", "websocket"])).toEqual(["websocket"]);
    expect(upgradesOf("polling", ["polling"])).toEqual([]);
    expect(upgradesOf("websocket", ["polling", "websocket"])).toEqual([]);
  });
});
