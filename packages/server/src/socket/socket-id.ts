// Socket.IO session ids: 20 URL-safe characters from 15 random bytes, never the Engine.IO sid.
import { randomBytes } from "node:crypto";

/** A fresh Socket.IO session id (also used for private session ids of recovery). */
export function generateSocketId(): string {
  return randomBytes(15).toString("base64url");
}
