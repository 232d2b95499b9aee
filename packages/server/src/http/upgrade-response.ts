// The stand-in response that engine middlewares get for a WebSocket upgrade (there is no real
// ServerResponse): headers they set are added to the 101 answer; ending it refuses the upgrade.
import { type IncomingMessage, type OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

/** A fake response and the socket listener that forwards the socket's `close` to it. */
interface UpgradeResponseRecord {
  readonly res: ServerResponse;
  readonly forwardClose: () => void;
}

const upgradeResponses = new WeakMap<IncomingMessage, UpgradeResponseRecord>();

/**
 * Creates the fake response of an upgrade. Headers set on it go into the 101; `write()` and
 * `writeHead()` do nothing (the engine calls `writeHead()` once the upgrade is accepted, so
 * middlewares that hook it, like express-session through on-headers, get to set their headers);
 * `end()` emits `finish` and destroys the socket; `close` follows the socket's (pino-http).
 */
export function createUpgradeResponse(req: IncomingMessage, socket: Duplex): ServerResponse {
  const res = new ServerResponse(req);
  res.write = ((): boolean => true) as ServerResponse["write"];
  res.writeHead = ((): ServerResponse => res) as ServerResponse["writeHead"];
  res.end = ((): ServerResponse => {
    res.emit("finish");
    socket.destroy();
    return res;
  }) as ServerResponse["end"];
  const forwardClose = (): void => {
    res.emit("close");
  };
  socket.once("close", forwardClose);
  upgradeResponses.set(req, { res, forwardClose });
  return res;
}

/**
 * The upgrade was accepted: forget its fake response. Its `close` keeps following the socket only
 * when something listens to it (a logger such as pino-http); otherwise nothing of the response
 * stays alive for the lifetime of the connection.
 */
export function releaseUpgradeResponse(req: IncomingMessage, socket: Duplex): void {
  const record = upgradeResponses.get(req);
  if (record === undefined) return;
  upgradeResponses.delete(req);
  if (record.res.listenerCount("close") === 0) socket.removeListener("close", record.forwardClose);
}

/** Headers the middlewares set on the upgrade's fake response (a copy; edit freely). */
export function upgradeResponseHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  return { ...upgradeResponses.get(req)?.res.getHeaders() };
}

/** `name: value` lines for ws's `headers` event (arrays become repeated lines). */
export function headerLines(headers: OutgoingHttpHeaders): string[] {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${item}`);
  }
  return lines;
}
