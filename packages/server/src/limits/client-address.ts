// The address a request comes from, for the per-address limits: the TCP peer, or, behind
// trusted proxies (`trustForwardedFor`), an X-Forwarded-For entry: with one proxy the right-most
// (the one it appended), with `hops` proxies in a row the `hops`-th from the right. Pure; a
// hostile header never throws here.
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";

/** Longest X-Forwarded-For chain read; a longer one is ignored (the peer address is used). */
export const MAX_HOPS = 32;

/**
 * The client address of `req` (the empty string when the peer is unknown). `hops`: the proxies
 * in front that each append to X-Forwarded-For (0 or false: the peer; true: 1).
 */
export function clientAddressOf(req: IncomingMessage, hops: number | boolean): string {
  const peer = req.socket?.remoteAddress ?? "";
  const trusted = hops === true ? 1 : hops === false ? 0 : hops;
  if (trusted < 1) return peer;
  const header = req.headers["x-forwarded-for"];
  const value = Array.isArray(header) ? header.join(",") : header;
  if (value === undefined) return peer;
  const entries = value.split(",", MAX_HOPS + 1);
  if (entries.length > MAX_HOPS) return peer;
  // Fewer entries than trusted hops: the request came through fewer proxies; the left-most entry
  // was still appended by one of them.
  const chosen = entries[Math.max(0, entries.length - trusted)]?.trim() ?? "";
  return isIP(chosen) !== 0 ? chosen : peer;
}
