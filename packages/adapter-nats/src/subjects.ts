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

/**
 * The history subject of `target` (recovery across nodes): `{prefix}.h.{nsp}.…`. The history
 * stream stores it and republishes it to {@link subjectFor}'s subject (the `h` token is never a
 * namespace token, which always starts with `p`, `b` or `h` followed by more characters).
 */
export function historySubjectFor(prefix: string, nsp: string, target: ClusterTarget): string {
  return `${prefix}.h.${subjectFor(prefix, nsp, target).slice(prefix.length + 1)}`;
}

/** The JetStream names of a prefix's recovery history (see {@link historyNames}). */
export interface HistoryNames {
  /** The stream that stores the history subjects and republishes them. */
  stream: string;
  /** The KV bucket of the session records. */
  bucket: string;
  /** The stream's subjects: every history subject of the prefix. */
  subjects: string[];
  /** RePublish: `{prefix}.h.{nsp}.…` → `{prefix}.{nsp}.…`. */
  republish: { src: string; dest: string };
}

/**
 * The stream and bucket of a prefix, `SY_{name}_history` and `SY_{name}_sessions`: `name` is the
 * prefix with its dots written `_` (`socket.io` → `socket_io`), or `_` + base64url of the prefix
 * when it contains `_` itself (so that no two prefixes share a stream).
 */
export function historyNames(prefix: string): HistoryNames {
  const name = prefix.includes("_")
    ? `_${Buffer.from(prefix, "utf8").toString("base64url")}`
    : prefix.replaceAll(".", "_");
  return {
    stream: `SY_${name}_history`,
    bucket: `SY_${name}_sessions`,
    subjects: [`${prefix}.h.*.>`],
    republish: { src: `${prefix}.h.*.>`, dest: `${prefix}.{{wildcard(1)}}.>` },
  };
}
