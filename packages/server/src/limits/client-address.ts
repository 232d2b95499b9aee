// The address a request comes from, for the per-address limits: the TCP peer, or, behind a
// trusted proxy (`trustForwardedFor`), the right-most well-formed X-Forwarded-For entry (the one
// that proxy appended). Pure; a hostile header never throws here.
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";

/** Longest X-Forwarded-For chain read; a longer one is ignored (the peer address is used). */
const MAX_HOPS = 32;

/** The client address of `req` (the empty string when the peer is unknown). */
export function clientAddressOf(req: IncomingMessage, trustForwardedFor: boolean): string {
  const peer = req.socket?.remoteAddress ?? "";
  if (!trustForwardedFor) return peer;
  const header = req.headers["x-forwarded-for"];
  const value = Array.isArray(header) ? header.join(",") : header;
  if (value === undefined) return peer;
  const hops = value.split(",", MAX_HOPS + 1);
  if (hops.length > MAX_HOPS) return peer;
  const last = hops[hops.length - 1]?.trim() ?? "";
  return isIP(last) !== 0 ? last : peer;
}
