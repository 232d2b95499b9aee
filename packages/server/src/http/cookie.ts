// The sticky-session cookie of the polling handshake (docs/protocol.md §1.11 `cookie`).
// Serialised by hand: only the attributes the official defaults and options produce.
import type { CookieOptions } from "../engine/options.js";

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function sameSiteValue(sameSite: CookieOptions["sameSite"]): string | undefined {
  if (sameSite === true || sameSite === "strict") return "Strict";
  if (sameSite === "lax") return "Lax";
  if (sameSite === "none") return "None";
  return undefined;
}

/** `io=<sid>; Path=/; HttpOnly; SameSite=Lax` for the default options. */
export function serializeSessionCookie(sid: string, options: CookieOptions): string {
  const name = options.name ?? "io";
  let cookie = `${TOKEN.test(name) ? name : "io"}=${encodeURIComponent(sid)}`;
  if (options.maxAge !== undefined && Number.isFinite(options.maxAge)) {
    cookie += `; Max-Age=${Math.floor(options.maxAge)}`;
  }
  if (options.domain !== undefined) cookie += `; Domain=${options.domain}`;
  if (options.path !== false) cookie += `; Path=${options.path ?? "/"}`;
  if (options.expires !== undefined) cookie += `; Expires=${options.expires.toUTCString()}`;
  if (options.httpOnly !== false) cookie += "; HttpOnly";
  if (options.partitioned === true) cookie += "; Partitioned";
  if (options.secure === true) cookie += "; Secure";
  const sameSite = sameSiteValue(options.sameSite ?? "lax");
  if (sameSite !== undefined) cookie += `; SameSite=${sameSite}`;
  return cookie;
}
