// URL handling for io() and the engine: the lookup key and namespace of an io() URI, the
// query-string codec, and the cache-busting timestamp (docs/protocol.md §1.1, §4.1).

/** What io() needs from a URI. */
export interface ParsedUri {
  /** Host name without IPv6 brackets. */
  hostname: string;
  /** Port as a string, filled in from the scheme when absent. */
  port: string;
  /** The path part: the namespace. */
  path: string;
  /** Query string without `?` ("" when none). */
  query: string;
  /** Query string with its `?` ("" when none). */
  search: string;
  /** True for https/wss. */
  secure: boolean;
  /** Manager cache key: `protocol://host:port<enginePath>`. */
  id: string;
  /** `protocol://host:port`. */
  origin: string;
}

interface PageLocation {
  protocol: string;
  host: string;
}

const SCHEME = /^(https?|wss?):\/\//i;

/** The page location in browsers; undefined in Node and workers without one. */
function pageLocation(): PageLocation | undefined {
  return (globalThis as { location?: PageLocation }).location;
}

/**
 * Parses an io() URI: relative (`/admin`), protocol-less (`localhost:3000`), `//host`, or full.
 * Without a URI the page location is used. `enginePath` is the HTTP path (`opts.path`).
 */
export function parseUri(
  uri: string | undefined,
  enginePath = "",
  loc: PageLocation | undefined = pageLocation(),
): ParsedUri {
  let source = uri ?? (loc === undefined ? "http://localhost" : `${loc.protocol}//${loc.host}`);
  const scheme = loc?.protocol ?? "https:";
  if (source.startsWith("//")) source = scheme + source;
  else if (!SCHEME.test(source))
    source = `${scheme}//${source.startsWith("/") && loc !== undefined ? loc.host : ""}${source}`;
  const url = new URL(source);
  const protocol = url.protocol.slice(0, -1).toLowerCase();
  const secure = protocol === "https" || protocol === "wss";
  const port = url.port || (secure ? "443" : "80");
  const host = url.hostname; // IPv6 in brackets
  const hostname = host.replace(/^\[(.*)\]$/, "$1");
  return {
    hostname,
    port,
    path: url.pathname,
    query: url.search.slice(1),
    search: url.search,
    secure,
    id: `${protocol}://${host}:${port}${enginePath}`,
    origin: `${protocol}://${host}:${port}`,
  };
}

/** Decodes `a=1&b=2` into an object (later keys win). */
export function decodeQuery(query: string): Record<string, string> {
  // URLSearchParams iterates its pairs (the DOM.Iterable typing is not in this lib set).
  return Object.fromEntries(new URLSearchParams(query) as unknown as Iterable<[string, string]>);
}

/** Encodes an object into `a=1&b=2`, skipping undefined values. */
export function encodeQuery(query: Readonly<Record<string, unknown>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.append(key, String(value));
  }
  return params.toString();
}

/** Cache buster: base-36 time with the first 3 characters dropped, then 3 random characters. */
export function timestamp(): string {
  return (
    Date.now().toString(36).slice(3) +
    Math.floor(Math.random() * 46656)
      .toString(36)
      .padStart(3, "0")
  );
}
