// Cheap nesting-depth guard for JSON text, run before JSON.parse on long packets only.
// Valid JSON nesting deeper than N needs at least 2(N+1) characters, so shorter text skips it.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** True when the JSON text in `str` from `start` could nest arrays/objects deeper than `maxDepth`. */
export function exceedsDepth(str: string, start: number, maxDepth: number): boolean {
  const length = str.length;
  if (length - start < 2 * maxDepth + 2) return false;
  // Deeper than maxDepth needs more than maxDepth opening brackets. Counting them with indexOf
  // (a vectorised search in V8) is far cheaper than the char-by-char scan below, which then
  // runs only for text that has that many brackets at all.
  if (!countReaches(str, start, maxDepth + 1)) return false;
  let depth = 0;
  let inString = false;
  for (let i = start; i < length; i++) {
    const code = str.charCodeAt(i);
    if (inString) {
      // Skip the escaped character; a closing quote ends the string.
      i += code === BACKSLASH ? 1 : 0;
      inString = code !== QUOTE;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      if (++depth > maxDepth) return true;
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/** True when `str[start..]` holds at least `n` of "[" and "{" together (inside strings too). */
function countReaches(str: string, start: number, n: number): boolean {
  let count = 0;
  for (let i = str.indexOf("[", start); i !== -1; i = str.indexOf("[", i + 1)) {
    if (++count >= n) return true;
  }
  for (let i = str.indexOf("{", start); i !== -1; i = str.indexOf("{", i + 1)) {
    if (++count >= n) return true;
  }
  return false;
}
