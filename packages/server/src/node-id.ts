// Node identity: the `nodeId` option, and the short tag it leaves in every Engine.IO sid so that a
// balancer can route a request to its node by reading the sid alone (no table, no cookie).
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/** Length of the tag at the start of a sid: 4 base64url characters (24 bits). */
export const SID_TAG_LENGTH = 4;

const SID = /^[\w-]{20}$/;

/** The default node id: `SWITCHYARD_NODE_ID` when set, else `<hostname>-<pid>`. */
export function defaultNodeId(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env["SWITCHYARD_NODE_ID"];
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : `${hostname()}-${process.pid}`;
}

/** A 24-bit FNV-1a hash of the node id, written as 4 base64url characters. Pure. */
export function nodeTag(nodeId: string): string {
  return tagBytes(nodeId).toString("base64url");
}

/**
 * Reads the node tag back from an Engine.IO sid; `undefined` when the string is not sid-shaped.
 * Pure: `readSidTag(sid) === nodeTag(nodeId)` for every sid minted by that node.
 */
export function readSidTag(sid: string): string | undefined {
  return SID.test(sid) ? sid.slice(0, SID_TAG_LENGTH) : undefined;
}

/**
 * Returns a sid generator for one node: 20 URL-safe characters (the official shape), made of the
 * 3-byte tag, 9 random bytes and a 3-byte counter (unique even if randomness repeats).
 */
export function createSidGenerator(nodeId: string): () => string {
  const tag = tagBytes(nodeId);
  let counter = randomBytes(3).readUIntBE(0, 3);
  return () => {
    counter = (counter + 1) & 0xffffff;
    const bytes = Buffer.allocUnsafe(15);
    tag.copy(bytes, 0);
    randomBytes(9).copy(bytes, 3);
    bytes.writeUIntBE(counter, 12, 3);
    return bytes.toString("base64url");
  };
}

function tagBytes(nodeId: string): Buffer {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(nodeId, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  const bytes = Buffer.allocUnsafe(3);
  bytes.writeUIntBE((hash ^ (hash >>> 24)) & 0xffffff, 0, 3);
  return bytes;
}
