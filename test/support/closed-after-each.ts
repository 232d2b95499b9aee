// Cleanup of what a test starts (servers, engines): the starter remembers each one and closes
// those still open after each test of the file or describe block that created the starter.
import { afterEach } from "vitest";

/** Anything a test starts and must close. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * Wraps `start`: whatever it returns is closed after each test, unless the test closed it
 * already (its `close` is wrapped to forget it). Call at the top of a file or describe block;
 * afterEach hooks registered later in that block run before this one.
 */
export function closedAfterEach<A extends unknown[], T extends Closable>(
  start: (...args: A) => Promise<T>,
): (...args: A) => Promise<T> {
  const running = new Set<T>();
  afterEach(async () => {
    for (const started of [...running]) await started.close();
  });
  return async (...args) => {
    const started = await start(...args);
    const close = started.close.bind(started);
    started.close = async () => {
      running.delete(started);
      await close();
    };
    running.add(started);
    return started;
  };
}
