// The stand-in response that engine middlewares get for a WebSocket upgrade (there is no real
// ServerResponse): headers they set are added to the 101 answer; ending it refuses the upgrade.
import { type IncomingMessage, type OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

const upgradeResponses = new WeakMap<IncomingMessage, ServerResponse>();

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
  socket.once("close", () => res.emit("close"));
  upgradeResponses.set(req, res);
  return res;
}

/** Headers the middlewares set on the upgrade's fake response (a copy; edit freely). */
export function upgradeResponseHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  return { ...upgradeResponses.get(req)?.getHeaders() };
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
