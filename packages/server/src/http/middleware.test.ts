import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { type EngineMiddleware, runMiddlewares } from "./middleware.js";

const req = {} as IncomingMessage;
const res = {} as ServerResponse;

describe("runMiddlewares", () => {
  it("runs the middlewares in order, then done()", () => {
    const order: string[] = [];
    const record =
      (name: string): EngineMiddleware =>
      (_req, _res, next) => {
        order.push(name);
        next();
      };
    runMiddlewares([record("a"), record("b")], req, res, (err) => order.push(`done:${err}`));
    expect(order).toEqual(["a", "b", "done:undefined"]);
  });

  it("turns next(err) and a throw before next into done(err), once", () => {
    const failure = new Error("nope");
    const results: unknown[] = [];
    runMiddlewares([(_q, _s, next) => next(failure)], req, res, (err) => results.push(err));
    runMiddlewares(
      [
        () => {
          throw failure;
        },
      ],
      req,
      res,
      (err) => results.push(err),
    );
    expect(results).toEqual([failure, failure]);
  });

  it("lets an exception thrown after next() (by the rest of the chain) propagate", () => {
    const downstream = new Error("connection listener threw");
    const calls: unknown[] = [];
    const run = (): void =>
      runMiddlewares([(_q, _s, next) => next()], req, res, (err) => {
        calls.push(err);
        throw downstream;
      });
    expect(run).toThrow(downstream);
    expect(calls).toEqual([undefined]);
  });

  it("ignores a second call of next from the same middleware", () => {
    const calls: unknown[] = [];
    runMiddlewares(
      [
        (_q, _s, next) => {
          next();
          next(new Error("late"));
        },
      ],
      req,
      res,
      (err) => calls.push(err),
    );
    expect(calls).toEqual([undefined]);
  });
});
