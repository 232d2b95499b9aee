// The `cors` option (docs/protocol.md §1.11): the `cors` package installed as the first engine
// middleware, so preflights, error answers and upgrades all carry the Access-Control headers.
import cors, { type CorsOptions, type CorsOptionsDelegate } from "cors";
import type { EngineMiddleware } from "./middleware.js";

/** Wraps the `cors` package as an engine middleware. */
export function createCorsMiddleware(options: CorsOptions | CorsOptionsDelegate): EngineMiddleware {
  const handler = cors(options);
  return (req, res, next) => {
    handler(req, res, next);
  };
}
