// X-Forwarded-For / -Proto handling: keep a well-formed incoming chain, drop a malformed one,
// append the peer address. Pure; a hostile header can never throw here.
import { isIP } from "node:net";

/** Longest incoming chain kept; longer ones are treated as malformed. */
const MAX_HOPS = 32;

/** The addresses of a well-formed `X-Forwarded-For` value, or `undefined` if any entry is bad. */
export function parseForwardedFor(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return [];
  const joined = Array.isArray(value) ? value.join(",") : value;
  if (joined.trim() === "") return [];
  const hops = joined.split(",").map((hop) => hop.trim());
  if (hops.length > MAX_HOPS) return undefined;
  return hops.every((hop) => isIP(hop) !== 0) ? hops : undefined;
}

/**
 * The `X-Forwarded-For` value to send upstream: the incoming chain when well-formed (else
 * dropped), then the peer's address.
 */
export function appendForwardedFor(
  incoming: string | string[] | undefined,
  peer: string | undefined,
): string | undefined {
  const hops = parseForwardedFor(incoming) ?? [];
  if (peer !== undefined && isIP(peer) !== 0) hops.push(peer);
  return hops.length === 0 ? undefined : hops.join(", ");
}

/**
 * The address that identifies the client for hashing: the right-most valid incoming hop when the
 * previous hop is trusted (`trustForwardedFor`), else the peer's address.
 */
export function clientAddress(
  incoming: string | string[] | undefined,
  peer: string | undefined,
  trustForwardedFor: boolean,
): string {
  if (trustForwardedFor) {
    const last = parseForwardedFor(incoming)?.at(-1);
    if (last !== undefined) return last;
  }
  return peer ?? "";
}

/** The `X-Forwarded-Proto` value: a trusted incoming `http`/`https`, else `http`. */
export function forwardedProto(
  incoming: string | string[] | undefined,
  trustForwardedFor: boolean,
): "http" | "https" {
  if (!trustForwardedFor || typeof incoming !== "string") return "http";
  const proto = incoming.trim().toLowerCase();
  return proto === "https" ? "https" : "http";
}
