// Channel names: one main channel per namespace, one per node (responses), one per room. Names
// and namespaces are percent-encoded, so no room name can forge another channel (or a `{hash
// tag}` in Redis Cluster): `#`, `{`, `}` and `%` never appear raw in an encoded part.
import type { ClusterTarget } from "@switchyard/server";

/** Percent-encodes one part of a channel name. */
export function encodePart(part: string): string {
  return encodeURIComponent(part);
}

/** The channel a message for `target` in namespace `nsp` is published to. */
export function channelFor(key: string, nsp: string, target: ClusterTarget): string {
  const base = `${key}#${encodePart(nsp)}#`;
  if (target.kind === "all") return base;
  if (target.kind === "room") return `${base}r#${encodePart(target.room)}#`;
  return `${base}n#${target.uid}#`;
}
