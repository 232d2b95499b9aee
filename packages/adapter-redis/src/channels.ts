// Channel names: one main channel per namespace, one per node (responses), one per room. Names
// and namespaces are percent-encoded, so no room name can forge another channel (or a `{hash
// tag}` in Redis Cluster): `#`, `{`, `}` and `%` never appear raw in an encoded part.
import type { ClusterTarget } from "@switchyard/server";

/** Percent-encodes one part of a channel name. */
export function encodePart(part: string): string {
  return encodeURIComponent(part);
}

/**
 * The hash tag of a namespace's recovery keys and channels: `{<key>#<nsp>}`. Everything of one
 * namespace then lives in one Redis Cluster slot, as the history scripts need (they touch its
 * keys and publish on its channels atomically).
 */
export function namespaceTag(key: string, nsp: string): string {
  return `{${key}#${encodePart(nsp)}}`;
}

/**
 * The channel a message for `target` in namespace `nsp` is published to. With `tagged` (recovery
 * on), the namespace part is its hash tag (see {@link namespaceTag}).
 */
export function channelFor(
  key: string,
  nsp: string,
  target: ClusterTarget,
  tagged = false,
): string {
  const base = tagged ? `${namespaceTag(key, nsp)}#` : `${key}#${encodePart(nsp)}#`;
  if (target.kind === "all") return base;
  if (target.kind === "room") return `${base}r#${encodePart(target.room)}#`;
  return `${base}n#${target.uid}#`;
}
