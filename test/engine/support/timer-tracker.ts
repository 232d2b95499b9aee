// Tracks the timers and intervals that engine code (packages/server/src) creates itself, so lifecycle
// tests can assert that none outlives its session. Wraps the global timer functions until restored.

/** Live engine timers, described by their delay and creating call site. */
export interface TimerTracker {
  /** Timers created by matching code that have neither fired (setTimeout) nor been cleared. */
  live(): string[];
  /** Puts the original global timer functions back. */
  restore(): void;
}

type TimerFn = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => unknown;

/** Starts tracking timers whose creating stack mentions `source`. */
export function trackTimers(source = "/packages/server/src/"): TimerTracker {
  const g = globalThis as unknown as Record<string, unknown>;
  const original = {
    setTimeout: g["setTimeout"] as TimerFn,
    setInterval: g["setInterval"] as TimerFn,
    clearTimeout: g["clearTimeout"] as (handle: unknown) => void,
    clearInterval: g["clearInterval"] as (handle: unknown) => void,
  };
  const live = new Map<unknown, string>();
  const site = (): string | undefined => {
    // The direct caller only: timers of libraries called by the engine (ws's close timeout)
    // belong to those libraries.
    const frames = (new Error().stack ?? "").split("\n").slice(1);
    const caller = frames.find((line) => !line.includes("timer-tracker"));
    return caller?.includes(source) ? caller.trim() : undefined;
  };
  const wrap = (create: TimerFn, once: boolean): TimerFn => {
    return (callback, ms, ...args) => {
      const where = site();
      const handle: unknown = create(
        (...inner: unknown[]) => {
          if (once) live.delete(handle);
          callback(...inner);
        },
        ms,
        ...args,
      );
      if (where !== undefined) live.set(handle, `${ms ?? 0} ms ${where}`);
      return handle;
    };
  };
  const clear =
    (original: (handle: unknown) => void) =>
    (handle: unknown): void => {
      live.delete(handle);
      original(handle);
    };
  g["setTimeout"] = wrap(original.setTimeout, true);
  g["setInterval"] = wrap(original.setInterval, false);
  g["clearTimeout"] = clear(original.clearTimeout);
  g["clearInterval"] = clear(original.clearInterval);
  return {
    live: () => [...live.values()],
    restore: () => {
      Object.assign(g, original);
    },
  };
}

/**
 * The live timers once the server's sockets had time to close (up to `ms`). A WebSocket
 * transport's close timeout ends when its socket closes, which is a moment after the client sees
 * its own socket close (the server's 'close' follows the client's FIN): a timer still live after
 * that wait outlives its connection.
 */
export async function liveAfterClose(tracker: TimerTracker, ms = 1000): Promise<string[]> {
  const deadline = Date.now() + ms;
  while (tracker.live().length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return tracker.live();
}
