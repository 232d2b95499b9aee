// The bytes of one entry of the session bucket: who owns it, until when it counts, whether it was
// claimed by a restore, and the record itself (opaque: the server's session record, or a node's
// last sign of life). The bucket is shared by every node: decoding is strict and never throws.

/** One entry of the session bucket. */
export interface StoredSession {
  /** The node (adapter uid) that may write it. */
  owner: string;
  /** When it stops counting (epoch ms of the writer's clock). */
  expiresAt: number;
  /** Claimed by a restore: its value is gone, and nobody can claim it again. */
  claimed: boolean;
  value: Uint8Array;
}

const VERSION = 1;
const CLAIMED = 0x01;
/** Version, flags, expiry (float64), owner length. */
const HEADER = 1 + 1 + 8 + 1;

/** Encodes an entry (an owner is at most 255 bytes: node ids are 16). */
export function encodeSession(entry: StoredSession): Uint8Array {
  const owner = Buffer.from(entry.owner, "utf8");
  if (owner.byteLength > 255) throw new RangeError("session owner id too long");
  const bytes = new Uint8Array(HEADER + owner.byteLength + entry.value.byteLength);
  const view = new DataView(bytes.buffer);
  bytes[0] = VERSION;
  bytes[1] = entry.claimed ? CLAIMED : 0;
  view.setFloat64(2, entry.expiresAt);
  bytes[10] = owner.byteLength;
  bytes.set(owner, HEADER);
  bytes.set(entry.value, HEADER + owner.byteLength);
  return bytes;
}

/** Decodes an entry read from the bucket; undefined when the bytes are not one. */
export function decodeSession(bytes: Uint8Array): StoredSession | undefined {
  if (bytes.byteLength < HEADER || bytes[0] !== VERSION) return undefined;
  const flags = bytes[1] ?? 0;
  if ((flags & ~CLAIMED) !== 0) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const expiresAt = view.getFloat64(2);
  const ownerLength = bytes[10] ?? 0;
  if (!Number.isFinite(expiresAt) || ownerLength === 0) return undefined;
  if (bytes.byteLength < HEADER + ownerLength) return undefined;
  const owner = Buffer.from(bytes.subarray(HEADER, HEADER + ownerLength)).toString("utf8");
  return {
    owner,
    expiresAt,
    claimed: (flags & CLAIMED) !== 0,
    value: bytes.subarray(HEADER + ownerLength),
  };
}

/** A node's sign of life as an entry value: the time it was written. */
export function encodeTime(at: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, at);
  return bytes;
}

/** Reads {@link encodeTime}'s value back; undefined when it is not one. */
export function decodeTime(bytes: Uint8Array): number | undefined {
  if (bytes.byteLength !== 8) return undefined;
  const at = new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0);
  return Number.isFinite(at) ? at : undefined;
}
