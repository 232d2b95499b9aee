// Debug logs of @switchyard/server through the `debug` package, one namespace per layer:
// `DEBUG=switchyard:*` (or `switchyard:engine,switchyard:cluster`, …) prints them on stderr.
// Off, a guarded line costs one `enabled` read: per-packet paths test it before building any
// argument; rare paths (a handshake, a close) call `log()` directly.
import createDebug from "debug";

/**
 * Bumped by every `debug.enable()` (and `debug.disable()`, which calls it): a logger re-reads
 * `debug`'s own `enabled` getter (a lookup on the `debug` function's many properties, tens of ns)
 * only then, so a guard costs one comparison. The wrapper only counts; `debug` does the rest.
 */
let generation = 0;
const enable = createDebug.enable;
createDebug.enable = (namespaces: string): void => {
  enable.call(createDebug, namespaces);
  generation++;
};

/** One `debug` namespace. `log()` prints a printf-style line (`%s`, `%d`, `%o`) when enabled. */
export class Logger {
  readonly namespace: string;
  readonly #debug: createDebug.Debugger;
  #generation = -1;
  #on = false;

  constructor(namespace: string) {
    this.namespace = namespace;
    this.#debug = createDebug(namespace);
  }

  /** Whether the namespace prints (re-read from `debug` after each `debug.enable()`). */
  get enabled(): boolean {
    if (this.#generation !== generation) {
      this.#generation = generation;
      this.#on = this.#debug.enabled;
    }
    return this.#on;
  }

  /** Prints one line when enabled (`debug` formats it: namespace, colours or timestamp). */
  log(format: string, ...args: unknown[]): void {
    if (this.enabled) this.#debug(format, ...args);
  }
}

/** Handshakes and their refusals, session closes, upgrades. */
export const engineLog: Logger = new Logger("switchyard:engine");
/** Transports: polling requests, WebSockets opened. */
export const transportLog: Logger = new Logger("switchyard:transport");
/** Namespace sockets: connect, disconnect (reason), limits. */
export const socketLog: Logger = new Logger("switchyard:socket");
/** Local adapter work: broadcasts and their fan-out. */
export const adapterLog: Logger = new Logger("switchyard:adapter");
/** Cluster adapters: bus messages published and received, requests and their outcome. */
export const clusterLog: Logger = new Logger("switchyard:cluster");
