import { describe, expect, it } from "vitest";
import { Emitter } from "./emitter.js";

class Probe extends Emitter<{ ping: (n: number) => void }> {
  fire(n: number): boolean {
    return this.emitReserved("ping", n);
  }
}

describe("Emitter", () => {
  it("calls listeners in registration order and reports whether any ran", () => {
    const probe = new Probe();
    const seen: string[] = [];
    expect(probe.fire(0)).toBe(false);
    probe.on("ping", (n) => seen.push(`a${n}`)).on("ping", (n) => seen.push(`b${n}`));
    expect(probe.fire(1)).toBe(true);
    expect(seen).toEqual(["a1", "b1"]);
  });

  it("runs a once listener a single time", () => {
    const probe = new Probe();
    let calls = 0;
    probe.once("ping", () => calls++);
    probe.fire(1);
    probe.fire(2);
    expect(calls).toBe(1);
    expect(probe.listenerCount("ping")).toBe(0);
  });

  it("removes one listener, then all of them", () => {
    const probe = new Probe();
    const fn = () => {};
    probe.on("ping", fn).on("ping", () => {});
    probe.off("ping", fn);
    expect(probe.listenerCount("ping")).toBe(1);
    probe.off();
    expect(probe.listenerCount("ping")).toBe(0);
  });

  it("removes a once listener by the function given to once()", () => {
    const probe = new Probe();
    let calls = 0;
    const fn = () => calls++;
    probe.once("ping", fn);
    probe.off("ping", fn);
    probe.fire(1);
    expect(calls).toBe(0);
    expect(probe.listenerCount("ping")).toBe(0);
  });
});
