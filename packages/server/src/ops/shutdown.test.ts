import { describe, expect, it } from "vitest";
import { onShutdownSignal, runShutdown } from "./shutdown.js";

describe("runShutdown", () => {
  it("stops accepting first, then closes; true when within the bound", async () => {
    const steps: string[] = [];
    const clean = await runShutdown(
      {
        stopAccepting: () => steps.push("stop"),
        close: async () => {
          steps.push("close");
        },
        forceClose: () => steps.push("force"),
      },
      { timeoutMs: 1000, drainMs: 10 },
    );
    expect(clean).toBe(true);
    expect(steps).toEqual(["stop", "close"]);
  });

  it("forces and resolves false after timeoutMs when close hangs", async () => {
    const steps: string[] = [];
    const clean = await runShutdown(
      {
        stopAccepting: () => steps.push("stop"),
        close: () => new Promise<void>(() => {}),
        forceClose: () => steps.push("force"),
      },
      { timeoutMs: 50 },
    );
    expect(clean).toBe(false);
    expect(steps).toEqual(["stop", "force"]);
  });
});

describe("onShutdownSignal", () => {
  it("runs the shutdown once per process and removes its handlers", async () => {
    let calls = 0;
    const remove = onShutdownSignal(
      () => {
        calls++;
        return Promise.resolve(true);
      },
      { signals: ["SIGUSR2"], exit: false },
    );
    process.emit("SIGUSR2", "SIGUSR2");
    process.emit("SIGUSR2", "SIGUSR2");
    expect(calls).toBe(1);
    const before = process.listenerCount("SIGUSR2");
    remove();
    expect(process.listenerCount("SIGUSR2")).toBe(before - 1);
  });
});
