import { describe, expect, it } from "vitest";
import { Manager } from "./manager.js";

const offline = { autoConnect: false } as const;

describe("Manager options", () => {
  it("applies socket.io-client's defaults", () => {
    const manager = new Manager("http://localhost:1", offline);
    expect(manager.reconnection()).toBe(true);
    expect(manager.reconnectionAttempts()).toBe(Number.POSITIVE_INFINITY);
    expect(manager.reconnectionDelay()).toBe(1000);
    expect(manager.reconnectionDelayMax()).toBe(5000);
    expect(manager.randomizationFactor()).toBe(0.5);
    expect(manager.timeout()).toBe(20000);
    expect(manager.opts.path).toBe("/socket.io");
    expect(manager._readyState).toBe("closed");
  });

  it("treats reconnectionAttempts 0 as Infinity and zero delays as their defaults", () => {
    const manager = new Manager("http://localhost:1", {
      ...offline,
      reconnectionAttempts: 0,
      reconnectionDelay: 0,
      reconnectionDelayMax: 0,
    });
    expect(manager.reconnectionAttempts()).toBe(Number.POSITIVE_INFINITY);
    expect(manager.reconnectionDelay()).toBe(1000);
    expect(manager.reconnectionDelayMax()).toBe(5000);
  });

  it("keeps randomizationFactor 0 and timeout false", () => {
    const manager = new Manager("http://localhost:1", {
      ...offline,
      randomizationFactor: 0,
      timeout: false,
    });
    expect(manager.randomizationFactor()).toBe(0);
    expect(manager.timeout()).toBe(false);
  });

  it("sets options through chainable setters", () => {
    const manager = new Manager(offline);
    expect(manager.reconnectionDelay(10).reconnectionDelayMax(20).reconnection(false)).toBe(
      manager,
    );
    expect(manager.reconnectionDelay()).toBe(10);
    expect(manager.reconnection()).toBe(false);
  });

  it("returns the same socket for a namespace until it is gone", () => {
    const manager = new Manager("http://localhost:1", offline);
    const admin = manager.socket("/admin");
    expect(manager.socket("/admin")).toBe(admin);
    expect(manager.socket("/")).not.toBe(admin);
    expect(Object.keys(manager.nsps)).toEqual(["/admin", "/"]);
  });
});
