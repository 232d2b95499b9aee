// Debug logs of @switchyard/server through the `debug` package, one namespace per layer:
// `DEBUG=switchyard:*` (or `switchyard:engine,switchyard:cluster`, …) prints them on stderr.
// Off, a log call costs a property read: per-packet paths test `log.enabled` before building
// anything; rare paths (a handshake, a close) call the logger directly.
import createDebug from "debug";

/** A debug logger: a printf-style format (`%s`, `%d`, `%o`); `enabled` says whether it prints. */
export interface Logger {
  (format: string, ...args: unknown[]): void;
  readonly enabled: boolean;
}

/** Handshakes and their refusals, session closes, upgrades. */
export const engineLog: Logger = createDebug("switchyard:engine");
/** Transports: polling requests, WebSockets opened. */
export const transportLog: Logger = createDebug("switchyard:transport");
/** Namespace sockets: connect, disconnect (reason), limits. */
export const socketLog: Logger = createDebug("switchyard:socket");
/** Local adapter work: broadcasts and their fan-out. */
export const adapterLog: Logger = createDebug("switchyard:adapter");
/** Cluster adapters: bus messages published and received, requests and their outcome. */
export const clusterLog: Logger = createDebug("switchyard:cluster");
