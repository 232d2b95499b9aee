// Subject names: one subject per namespace (all nodes), one per node (responses), one per room.
// Namespace, room and node names are user or peer strings, while `.`, `*`, `>` and whitespace
// are structural in NATS subjects: every name becomes ONE token over [A-Za-z0-9_-] that no
// other name maps to, so no name can widen a subscription, split a token or forge a subject.
import { createHash } from "node:crypto";
import type { ClusterTarget } from "@switchyard/server";
import { NatsAdapterError, NatsAdapterErrorCode } from "./errors.js";

/** Names made of these characters (and not too long) stay readable in subjects. */
const PLAIN = /^[A-Za-z0-9_-]{1,64}$/;
/** Longest token written out in full (`b` form); longer names are hashed. */
const MAX_ENCODED = 96;
const PREFIX_TOKEN = /^[A-Za-z0-9_-]+$/;

/**
 * Encodes one name as one subject token. Injective by construction:
 * - `p<name>` when the name is 1–64 characters of `[A-Za-z0-9_-]` (readable, e.g. `plobby`);
 * - `b<base64url(UTF-8)>` otherwise (`b` alone is the empty name);
 * - `h<base64url(SHA-256(UTF-8))>` when that would exceed 96 characters.
 * A hash collision could only send a message to a node that does not need it: receivers match
 * the full room names carried in the message against their own rooms.
 */
export function encodeToken(name: string): string {
  if (PLAIN.test(name)) return `p${name}`;
  const bytes = Buffer.from(name, "utf8");
  const encoded = `b${bytes.toString("base64url")}`;
  if (encoded.length <= MAX_ENCODED) return encoded;
  return `h${createHash("sha256").update(bytes).digest("base64url")}`;
}

/**
 * Checks a subject prefix: dot-separated, non-empty tokens of `[A-Za-z0-9_-]`.
 * @throws NatsAdapterError (`SY_ERR_ADAPTER_NATS_INVALID_ARGUMENT`) otherwise.
 */
export function checkPrefix(prefix: string): string {
  const tokens = prefix.split(".");
  if (prefix.length > 128 || !tokens.every((token) => PREFIX_TOKEN.test(token))) {
    throw new NatsAdapterError(
      NatsAdapterErrorCode.INVALID_ARGUMENT,
      `invalid subject prefix ${JSON.stringify(prefix)}: use dot-separated tokens of [A-Za-z0-9_-]`,
    );
  }
  return prefix;
}

/** The subject a message for `target` in namespace `nsp` is published to. */
export function subjectFor(prefix: string, nsp: string, target: ClusterTarget): string {
  const base = `${prefix}.${encodeToken(nsp)}`;
  if (target.kind === "all") return `${base}.a`;
  if (target.kind === "room") return `${base}.r.${encodeToken(target.room)}`;
  return `${base}.n.${encodeToken(target.uid)}`;
}
