// io(): parses the URI, picks or creates a Manager (cache by host and path, multiplexing
// rules of docs/protocol.md §4.1) and returns the namespace socket.
import { Manager } from "./manager.js";
import type { IoOptions } from "./options.js";
import type { Socket } from "./socket.js";
import type { DefaultEventsMap } from "./types.js";
import { parseUri } from "./url.js";

const cache: Record<string, Manager> = {};

/**
 * Connects to a namespace. The URI's path is the namespace; `opts.path` is the HTTP path.
 * Namespaces of one host share a Manager unless `forceNew`/`multiplex: false` is set or the
 * namespace is already open on the cached one.
 * @example
 * const socket = io("https://example.com/admin", { auth: { token: "abc" } });
 */
export function lookup<
  ListenEvents extends object = DefaultEventsMap,
  EmitEvents extends object = ListenEvents,
>(uri?: string | IoOptions, opts?: IoOptions): Socket<ListenEvents, EmitEvents> {
  let options: IoOptions = opts ?? {};
  let source: string | undefined;
  if (typeof uri === "object") options = uri;
  else source = uri;
  const parsed = parseUri(source, options.path ?? "/socket.io");
  const cached = cache[parsed.id];
  const sameNamespace = cached !== undefined && parsed.path in cached.nsps;
  const newConnection =
    options.forceNew === true ||
    options["force new connection"] === true ||
    options.multiplex === false ||
    sameNamespace;
  const managerUri = parsed.origin + parsed.search;
  let manager: Manager;
  if (newConnection) {
    manager = new Manager(managerUri, options);
  } else {
    manager = cached ?? new Manager(managerUri, options);
    cache[parsed.id] = manager;
  }
  if (parsed.query !== "" && options.query === undefined)
    options = { ...options, query: parsed.query };
  return manager.socket(parsed.path, options) as unknown as Socket<ListenEvents, EmitEvents>;
}
