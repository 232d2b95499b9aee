// Event names that `socket.emit()` and broadcasts refuse (the client reserves them too).
import { RESERVED_EVENTS } from "@switchyard/protocol";

/**
 * Reserved names: emitting one throws `"<name>" is a reserved event name`. The same set the
 * protocol decoder rejects on the wire, so the two lists cannot drift apart.
 */
export const RESERVED_SOCKET_EVENTS: ReadonlySet<string | symbol> = RESERVED_EVENTS;

/** Names `serverSideEmit()` refuses: the namespace's own events. */
export const RESERVED_NAMESPACE_EVENTS: ReadonlySet<string | symbol> = new Set([
  "connect",
  "connection",
  "new_namespace",
]);
