// The stand-in response that engine middlewares get for a WebSocket upgrade (there is no real
// ServerResponse): headers they set are added to the 101 answer; ending it refuses the upgrade.
import { type IncomingMessage, type OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

const upgradeResponses = new WeakMap<IncomingMessage, ServerResponse>();

/** Creates the fake response of an upgrade; `end()` on it destroys the socket. */
export function createUpgradeResponse(req: IncomingMessage, socket: Duplex): ServerResponse {
  const res = new ServerResponse(req);
  res.end = ((): ServerResponse => {
    socket.destroy();
    return res;
  }) as ServerResponse["end"];
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
