// Runs a middleware chain (`socket.use()` packet middlewares, `nsp.use()` connect middlewares)
// in order; the first error stops the chain. A throwing middleware is rethrown on the next tick.
import { callIsolated } from "./acks.js";

/** A middleware: `next()` continues, `next(err)` stops the chain. */
export type Middleware<E> = (event: E, next: (err?: Error) => void) => void;

/** Calls each middleware in turn, then `done()` — or `done(err)` at the first error. */
export function runMiddlewareChain<E>(
  middlewares: readonly Middleware<E>[],
  event: E,
  done: (err?: Error) => void,
): void {
  const chain = [...middlewares];
  const step = (index: number): void => {
    const middleware = chain[index];
    if (middleware === undefined) {
      done();
      return;
    }
    callIsolated(middleware, undefined, [
      event,
      (err?: Error) => {
        if (err !== undefined && err !== null) done(err);
        else step(index + 1);
      },
    ]);
  };
  step(0);
}
