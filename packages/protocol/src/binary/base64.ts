// Portable base64 for the `b<base64>` Engine.IO packets of polling (docs/protocol.md §1.2): atob/btoa,
// used where the runtime has no Buffer. Browsers only need base64 for binary over polling, so
// the smallest codec wins there; Node uses its native Buffer codec (runtime.ts).

/** Standard alphabet digits, then at most two `=`: what an encoder produces. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The line breaks of MIME base64 (RFC 2045), which some encoders insert. */
const LINE_BREAKS = /[\r\n]/g;

/**
 * `input[start..]` when it is standard base64 an encoder can produce, else undefined: nothing
 * outside A–Z a–z 0–9 + /, padding only at the end (two `=` at most, and only on a length that
 * is a multiple of 4), no 4n+1 digits. Line breaks (`\n`, `\r\n`) are dropped first: Java's
 * MIME-style encoders, socket.io-client-java's among them, end the text with `\n`
 * (docs/interop.md). Node's decoder and atob() both forgive more, so this check runs before
 * either.
 * @package
 */
export function base64Text(input: string, start: number): string | undefined {
  const text = (start === 0 ? input : input.slice(start)).replace(LINE_BREAKS, "");
  const rest = text.length % 4;
  if (text.charCodeAt(text.length - 1) === 61 ? rest !== 0 : rest === 1) return undefined;
  return BASE64.test(text) ? text : undefined;
}

/**
 * btoa encoder. The "binary string" is built in chunks: one giant apply would overflow the stack.
 * @package
 */
export function encodeBase64Portable(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  }
  return btoa(binary);
}

/**
 * atob decoder of `input[start..]`. Leftover bits of a short final group are ignored, as Node
 * does. Returns undefined when the text is not base64.
 * @package
 */
export function decodeBase64Portable(input: string, start = 0): Uint8Array | undefined {
  const text = base64Text(input, start);
  if (text === undefined) return undefined;
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
