// Node's EventEmitter keeps its listeners in an own `_events` table, which it creates in its
// constructor as a dictionary-mode object (~190 bytes, even empty). Objects that usually never
// get a listener (sessions, transports) or only a few (sockets) replace it: the memory of idle
// connections (docs/compat.md). The assumptions about Node's internals live here only, and
// listener-table.test.ts fails if Node changes them.
import type { EventEmitter } from "node:events";

type WithTable = { _events?: unknown };

/**
 * No table until the first listener: EventEmitter creates one when `_events` is undefined, as
 * for an emitter whose constructor never ran.
 */
export function deferListenerTable(emitter: EventEmitter): void {
  (emitter as WithTable)._events = undefined;
}

/**
 * A prototype-less object as the table: in V8's fast mode it holds the usual few listeners in
 * ~60 bytes.
 */
export function compactListenerTable(emitter: EventEmitter): void {
  (emitter as WithTable)._events = Object.setPrototypeOf({}, null);
}
