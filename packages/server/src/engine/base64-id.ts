// Session ids: 15 bytes (12 random + a 24-bit counter), URL-safe base64, 20 characters.
// The counter keeps ids unique even if the random source repeats within a process.
import { randomFillSync } from "node:crypto";

const POOL_IDS = 256;
const RANDOM_BYTES = 12;
const pool = Buffer.allocUnsafe(POOL_IDS * RANDOM_BYTES);
let poolOffset = pool.length;
let sequence = Math.floor(Math.random() * 0xffffff);

/** A fresh 20-character URL-safe id, as the official `base64id.generateId()`. */
export function createBase64Id(): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const id = Buffer.allocUnsafe(RANDOM_BYTES + 3);
  pool.copy(id, 0, poolOffset, poolOffset + RANDOM_BYTES);
  poolOffset += RANDOM_BYTES;
  sequence = (sequence + 1) & 0xffffff;
  id.writeUIntBE(sequence, RANDOM_BYTES, 3);
  return id.toString("base64url");
}
