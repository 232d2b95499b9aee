// Event names that `socket.emit()` and broadcasts refuse (the client reserves them too).

/** Reserved names: emitting one throws `"<name>" is a reserved event name`. */
export const RESERVED_SOCKET_EVENTS: ReadonlySet<string | symbol> = new Set([
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
]);

/** Names `serverSideEmit()` refuses: the namespace's own events. */
export const RESERVED_NAMESPACE_EVENTS: ReadonlySet<string | symbol> = new Set([
  "connect",
  "connection",
  "new_namespace",
]);
