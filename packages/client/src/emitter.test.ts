import { describe, expect, it, vi } from "vitest";
import { Emitter } from "./emitter.js";

interface Events {
  tick: (n: number) => void;
}

class Probe extends Emitter<Events, { ready: () => void }> {}

describe("Emitter", () => {
  it("calls listeners in order and once-listeners a single time", () => {
    const probe = new Probe();
    const calls: string[] = [];
    probe.on("tick", (n) => calls.push(`on:${n}`));
    probe.once("tick", (n) => calls.push(`once:${n}`));
    probe.emitUntyped("tick", [1]);
    probe.emitUntyped("tick", [2]);
    expect(calls).toEqual(["on:1", "once:1", "on:2"]);
  });

  it("removes a once-listener by its original function", () => {
    const probe = new Probe();
    const fn = vi.fn();
    probe.once("tick", fn);
    probe.off("tick", fn);
    probe.emitUntyped("tick", [1]);
    expect(fn).not.toHaveBeenCalled();
    expect(probe.hasListeners("tick")).toBe(false);
  });

  it("lets a listener unsubscribe another during an emit without skipping this round", () => {
    const probe = new Probe();
    const second = vi.fn();
    probe.on("tick", () => probe.off("tick", second));
    probe.on("tick", second);
    probe.emitUntyped("tick", [1]);
    probe.emitUntyped("tick", [2]);
    expect(second).toHaveBeenCalledOnce();
  });

  it("lists listeners and removes all of them", () => {
    const probe = new Probe();
    const fn = (): void => {};
    probe.on("ready", fn).on("tick", () => {});
    expect(probe.listeners("ready")).toEqual([fn]);
    probe.removeAllListeners();
    expect(probe.hasListeners("ready")).toBe(false);
    expect(probe.hasListeners("tick")).toBe(false);
  });
});
