// Accept-Encoding negotiation (RFC 9110 §12.5.3) with the tie-breaks of the official servers:
// the offered encoding with the highest q-value wins; a named entry counts before `*`; on equal
// q-values the encoding the client listed first wins, then the server's own order.

interface Entry {
  readonly name: string;
  readonly q: number;
  readonly order: number;
}

interface Match {
  readonly q: number;
  /** 1 for the encoding's own entry, 0 for `*`. */
  readonly specificity: number;
  readonly order: number;
  readonly index: number;
}

/** The entries of an Accept-Encoding header, names lower-cased; malformed ones are skipped. */
function parseEntries(header: string): Entry[] {
  const entries: Entry[] = [];
  for (const [order, part] of header.split(",").entries()) {
    const [rawName = "", ...params] = part.split(";");
    const name = rawName.trim().toLowerCase();
    if (name.length === 0 || /\s/.test(name)) continue;
    let q = 1;
    for (const param of params) {
      const [key = "", value = ""] = param.split("=");
      // A malformed q (NaN) is never acceptable.
      if (key.trim() === "q") q = Number.parseFloat(value.trim());
    }
    entries.push({ name, q, order });
  }
  return entries;
}

/** The entry that decides for `encoding`: its own before `*`, then the higher q, then the later. */
function matchOf(entries: readonly Entry[], encoding: string, index: number): Match | undefined {
  let best: Match | undefined;
  for (const entry of entries) {
    const specificity = entry.name === encoding ? 1 : entry.name === "*" ? 0 : -1;
    if (specificity < 0) continue;
    const better =
      best === undefined ||
      specificity > best.specificity ||
      (specificity === best.specificity &&
        (entry.q > best.q || (entry.q === best.q && entry.order > best.order)));
    if (better) best = { q: entry.q, specificity, order: entry.order, index };
  }
  return best;
}

/**
 * The encoding of `offered` (server preference order) the client prefers, or undefined when it
 * accepts none of them (then the body goes out as it is). A missing header accepts none.
 * @example preferredEncoding("gzip, br", ["br", "gzip"]) // "gzip": listed first, same q-value
 */
export function preferredEncoding<T extends string>(
  header: string | undefined,
  offered: readonly T[],
): T | undefined {
  if (header === undefined || header.length === 0) return undefined;
  const entries = parseEntries(header);
  let best: Match | undefined;
  for (const [index, encoding] of offered.entries()) {
    const match = matchOf(entries, encoding, index);
    if (match === undefined || !(match.q > 0)) continue;
    const better =
      best === undefined ||
      match.q > best.q ||
      (match.q === best.q &&
        (match.specificity > best.specificity ||
          (match.specificity === best.specificity &&
            (match.order < best.order || (match.order === best.order && index < best.index)))));
    if (better) best = match;
  }
  return best === undefined ? undefined : offered[best.index];
}
