// The names of the transports the engine can serve. Each one has its entry in registry.ts (the
// type makes it so); the options read only this file, so that they do not load the transports.

/** Every transport name, in the order of the `transports` option's default. */
export const TRANSPORT_NAMES: readonly ["polling", "websocket"] = ["polling", "websocket"];

/** A transport name the engine can serve. */
export type TransportName = (typeof TRANSPORT_NAMES)[number];

/** The `transports` option's default, as in engine.io. */
export const DEFAULT_TRANSPORTS: readonly TransportName[] = TRANSPORT_NAMES;

/** Whether `name` is a transport name (`__proto__`, `toString` and the like are not). */
export function isTransportName(name: unknown): name is TransportName {
  return TRANSPORT_NAMES.some((known) => known === name);
}
