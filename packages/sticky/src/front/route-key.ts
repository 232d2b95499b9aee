// Route key: the Engine.IO sid a request carries, read from its request target (`?sid=…`) or, as
// a fallback, from a cookie. Pure and total: any string in, a sid-shaped string or undefined out.

/** The official sid shape (engine.io base64id, and our tagged sids): 20 URL-safe characters. */
const SID = /^[\w-]{20}$/;

/** Where a route key was found: the query names the session; a cookie is only a hint. */
export type RouteKeySource = "query" | "cookie";

/** A sid found in a request, and where it was found. */
export interface RouteKey {
  sid: string;
  source: RouteKeySource;
}

/**
 * Reads the `sid` query parameter of a request target the way engine.io does (first `sid`,
 * percent-decoded); `undefined` unless the value is sid-shaped. Never throws.
 */
export function sidFromTarget(target: string | undefined): string | undefined {
  if (target === undefined) return undefined;
  const hash = target.indexOf("#");
  const path = hash === -1 ? target : target.slice(0, hash);
  const question = path.indexOf("?");
  if (question === -1) return undefined;
  const value = new URLSearchParams(path.slice(question + 1)).get("sid");
  return value !== null && SID.test(value) ? value : undefined;
}

/**
 * Reads the first cookie named `name` from a `Cookie` header (or several joined ones);
 * `undefined` unless its value (quotes removed) is sid-shaped. Never throws.
 */
export function sidFromCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined || name === "") return undefined;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
    }
    return SID.test(value) ? value : undefined;
  }
  return undefined;
}

/**
 * The route key of one request: the query sid when present, else the cookie sid when a cookie
 * name is given (`false` turns the fallback off).
 */
export function readRouteKey(
  target: string | undefined,
  cookieHeader: string | undefined,
  cookieName: string | false,
): RouteKey | undefined {
  const fromQuery = sidFromTarget(target);
  if (fromQuery !== undefined) return { sid: fromQuery, source: "query" };
  if (cookieName === false) return undefined;
  const fromCookie = sidFromCookie(cookieHeader, cookieName);
  return fromCookie === undefined ? undefined : { sid: fromCookie, source: "cookie" };
}

/** The cookie name a `cookie` option means: `true` is `"io"`; `false`, unset or `""` is none. */
export function resolveCookieName(option: string | boolean | undefined): string | false {
  const cookie = option === true ? "io" : (option ?? false);
  return cookie === "" ? false : cookie;
}
