// A minimal cookie jar for `withCredentials` in Node, where fetch keeps no cookies: it stores
// the name=value of each Set-Cookie (load-balancer stickiness cookies such as `io=<sid>`) and
// sends them back. Attributes other than expiry are ignored.

/** Cookies received from the server, sent back on every request. */
export class CookieJar {
  #cookies: Map<string, string> = new Map();

  /** Stores the cookies of `Set-Cookie` header values. */
  parse(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const expired = attributes.some((attribute) => {
        const [key = "", value = ""] = attribute.trim().split("=");
        const lower = key.toLowerCase();
        if (lower === "max-age") return Number(value) <= 0;
        if (lower === "expires") return Date.parse(value) <= Date.now();
        return false;
      });
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(eq + 1).trim());
    }
  }

  /** The `Cookie` header value, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
}
