// The parsed query of an engine request, computed once per request (protocol.md §1.1).
// A `_query` object set by Connect-style middleware wins, as in the official engine.
import type { IncomingMessage } from "node:http";

const queries = new WeakMap<IncomingMessage, URLSearchParams>();

/** A request whose query a framework may already have parsed (the official `_query`). */
type QueryCarrier = IncomingMessage & { _query?: unknown };

/** Parses `req.url`'s query; a malformed URL yields an empty query. */
export function parseQuery(req: IncomingMessage): URLSearchParams {
  try {
    return new URL(req.url ?? "/", "https://socket.io").searchParams;
  } catch {
    return new URLSearchParams();
  }
}

/** The request's query, parsed once; also exposed as `req._query` for engine.io-style layers. */
export function queryOf(req: QueryCarrier): URLSearchParams {
  let query = queries.get(req);
  if (query !== undefined) return query;
  const preset = req._query;
  if (typeof preset === "object" && preset !== null) {
    query = new URLSearchParams();
    for (const [key, value] of Object.entries(preset)) {
      if (typeof value === "string") query.set(key, value);
    }
  } else {
    query = parseQuery(req);
    req._query = Object.fromEntries(query);
  }
  queries.set(req, query);
  return query;
}
