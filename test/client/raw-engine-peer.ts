// A scripted Engine.IO polling server for client tests that need exact wire control: it answers
// the handshake with chosen heartbeat settings, records POST bodies and holds GETs until a test
// pushes a payload. Loopback only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** The scripted server. */
export interface RawEnginePeer {
  url: string;
  /** POST bodies received, in order. */
  posts: string[];
  /** `Date.now()` when the latest handshake was answered (the client cannot act on it earlier). */
  readonly handshakeAt: number;
  /** Answers the pending GET (or the next one) with this payload. */
  push(payload: string): void;
  /** Resolves with the next POST body. */
  nextPost(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the scripted server. `open` is merged over `{ sid, upgrades: [], maxPayload: 1e6 }`;
 * a key set to `undefined` is left out of the handshake (JSON drops it).
 */
export async function startRawEnginePeer(
  open: Readonly<Record<string, unknown>>,
): Promise<RawEnginePeer> {
  const posts: string[] = [];
  const queued: string[] = [];
  let pending: ServerResponse | undefined;
  let postWaiters: Array<(body: string) => void> = [];
  let handshakeAt = Number.NaN;
  const handshake = `0${JSON.stringify({ sid: "rawsid", upgrades: [], maxPayload: 1e6, ...open })}`;

  const answer = (res: ServerResponse, payload: string): void => {
    res.writeHead(200, { "content-type": "text/plain; charset=UTF-8" }).end(payload);
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "GET" && !url.searchParams.has("sid")) {
      handshakeAt = Date.now();
      return answer(res, handshake);
    }
    if (req.method === "GET") {
      const next = queued.shift();
      if (next !== undefined) return answer(res, next);
      pending = res;
      return undefined;
    }
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      posts.push(body);
      const waiters = postWaiters;
      postWaiters = [];
      for (const waiter of waiters) waiter(body);
      res.writeHead(200, { "content-type": "text/html" }).end("ok");
    });
    return undefined;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    get handshakeAt() {
      return handshakeAt;
    },
    push(payload) {
      if (pending === undefined) queued.push(payload);
      else {
        answer(pending, payload);
        pending = undefined;
      }
    },
    nextPost() {
      return new Promise((resolve) => postWaiters.push(resolve));
    },
    async close() {
      pending?.end();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
