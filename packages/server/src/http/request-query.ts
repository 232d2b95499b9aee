// The parsed query of an engine request, computed once per request (docs/protocol.md §1.1).
// A `_query` object set by Connect-style middleware wins, as in the official engine.
import type { IncomingMessage } from "node:http";

const SLASH = 0x2f;
const queries = new WeakMap<IncomingMessage, URLSearchParams>();

/** A request whose query a framework may already have parsed (the official `_query`). */
type QueryCarrier = IncomingMessage & { _query?: unknown };

/**
 * Parses `req.url`'s query; a malformed URL yields an empty query. An origin-form target
 * (`/path?query`, every browser request) is sliced at `?` without building a URL, which would
 * cost a second parse and stay alive with the request.
 */
export function parseQuery(req: IncomingMessage): URLSearchParams {
  const url = req.url ?? "/";
  if (url.charCodeAt(0) === SLASH && url.charCodeAt(1) !== SLASH) {
    const start = url.indexOf("?");
    if (start === -1) return new URLSearchParams();
    const end = url.indexOf("#", start);
    return new URLSearchParams(url.slice(start + 1, end === -1 ? undefined : end));
  }
  try {
    return new URLSearchParams(new URL(url, "https://socket.io").search);
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

/** Drops the cached query of a request that stays alive (a WebSocket session's handshake). */
export function forgetQuery(req: IncomingMessage): void {
  queries.delete(req);
}
