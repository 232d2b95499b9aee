// Every transport the engine can serve, by name. A new transport is one entry here and its own
// files in this folder: the engine, request verification and the options read only this map.
import type { TransportKind } from "./kind.js";
import { pollingKind } from "./polling-kind.js";
import { websocketKind } from "./websocket-kind.js";

/** The transport registry: `name → { create, handlesUpgrade, upgradesTo }`. */
export const TRANSPORTS: {
  readonly polling: TransportKind;
  readonly websocket: TransportKind;
} = {
  polling: pollingKind,
  websocket: websocketKind,
};

/** A transport name the engine can serve. */
export type TransportName = keyof typeof TRANSPORTS;

/** The `transports` option's default, as in engine.io. */
export const DEFAULT_TRANSPORTS: readonly TransportName[] = ["polling", "websocket"];

/** Whether `name` is a registered transport (own keys only: `__proto__` is not one). */
export function isTransportName(name: unknown): name is TransportName {
  return typeof name === "string" && Object.hasOwn(TRANSPORTS, name);
}

/** The registry entry of `name`, or undefined for an unknown name. */
export function transportKind(name: string | null): TransportKind | undefined {
  return name !== null && isTransportName(name) ? TRANSPORTS[name] : undefined;
}

/** The transports a session on `name` may upgrade to among `enabled` ones. */
export function upgradesOf(name: string, enabled: readonly string[]): string[] {
  const kind = transportKind(name);
  return kind === undefined ? [] : kind.upgradesTo.filter((next) => enabled.includes(next));
}
