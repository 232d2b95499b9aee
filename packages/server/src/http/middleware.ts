// Express-style engine middlewares (`engine.use`): run for every request and upgrade, before
// verification. A middleware that calls next(err) fails the request with MIDDLEWARE_FAILURE.
import type { IncomingMessage, ServerResponse } from "node:http";

/** `(req, res, next)`: call `next()` to continue, `next(err)` to refuse the request. */
export type EngineMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/**
 * Runs the middlewares in order, then `done(err)`. A middleware that throws before calling next
 * counts as next(err); one that ends the response without calling next stops the chain.
 */
export function runMiddlewares(
  middlewares: readonly EngineMiddleware[],
  req: IncomingMessage,
  res: ServerResponse,
  done: (err?: unknown) => void,
): void {
  let index = 0;
  const next = (err?: unknown): void => {
    if (err !== undefined && err !== null) {
      done(err);
      return;
    }
    const middleware = middlewares[index++];
    if (middleware === undefined) {
      done();
      return;
    }
    let called = false;
    try {
      middleware(req, res, (nextErr?: unknown) => {
        if (called) return;
        called = true;
        next(nextErr);
      });
    } catch (thrown) {
      // Once next() was called, the exception comes from further down the chain (verification,
      // the handshake, a `connection` listener): it is not this middleware's failure and must
      // not be swallowed, so it propagates as it would without any middleware.
      if (called) throw thrown;
      called = true;
      done(thrown ?? new Error("middleware threw"));
    }
  };
  next();
}
