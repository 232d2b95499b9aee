// The close status codes a WebSocket peer may send in a close frame (RFC 6455 §7.4).

/**
 * Whether a peer may send close status `code`: 1000–1014 but for 1004 (reserved), 1005 and 1006
 * (never sent: they stand for "no status" and "closed abnormally"), as the IANA registry and `ws`
 * have it, and 3000–4999 (registered and private use).
 */
export function isValidCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  );
}
