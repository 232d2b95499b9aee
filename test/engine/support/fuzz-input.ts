// Seeded generators of hostile Engine.IO input for the fuzz suite: random frames, payloads and
// query strings. Deterministic for a given seed.

/** mulberry32: a small, fast, seedable PRNG returning floats in [0, 1). */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = '0123456789abcdefb\x1e\x00\u00e9\u{1f600}{}[]":,\\ 4';

/** Random text of up to `max` characters drawn from a protocol-flavoured alphabet. */
export function randomText(random: () => number, max: number): string {
  const length = Math.floor(random() * max);
  const chars = Array.from(ALPHABET);
  let text = "";
  for (let i = 0; i < length; i++) text += chars[Math.floor(random() * chars.length)] ?? "x";
  return text;
}

/** Random bytes of up to `max` length. */
export function randomBytes(random: () => number, max: number): Buffer {
  const length = Math.floor(random() * max);
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

/** One WebSocket message: mostly plausible packets, some garbage, some binary. */
export function randomFrame(random: () => number): string | Buffer {
  const roll = random();
  if (roll < 0.55) return `4${randomText(random, 64)}`;
  if (roll < 0.7) return randomBytes(random, 64);
  if (roll < 0.78) return "3";
  if (roll < 0.84) return ["0", "1", "5", "6", "3probe"][Math.floor(random() * 5)] ?? "6";
  if (roll < 0.9) return `b${randomText(random, 24)}`;
  return randomText(random, 32);
}

/** One polling payload of 1–12 packets joined by the record separator. */
export function randomPayload(random: () => number): { body: string; packets: number } {
  const count = 1 + Math.floor(random() * 12);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const frame = randomFrame(random);
    parts.push(typeof frame === "string" ? frame : `b${frame.toString("base64")}`);
  }
  return { body: parts.join("\x1e"), packets: count };
}

/** A random query string, sometimes close to a valid one. */
export function randomQuery(random: () => number): string {
  const keys = ["EIO", "transport", "sid", "t", "b64", "j", "__proto__", "constructor", ""];
  const values = ["4", "3", "polling", "websocket", "%", "%zz", "", "\u00e9", "a".repeat(50)];
  const pairs: string[] = [];
  const count = Math.floor(random() * 5);
  for (let i = 0; i < count; i++) {
    const key = keys[Math.floor(random() * keys.length)] ?? "x";
    const value = values[Math.floor(random() * values.length)] ?? "y";
    pairs.push(random() < 0.2 ? randomText(random, 8) : `${key}=${encodeURI(value)}`);
  }
  // Only what an HTTP request line can carry; malformed escapes like %zz stay in.
  return pairs.join("&").replace(/[^\x21-\x7e]|#/g, "");
}
