// Every transport the engine can serve, by name. A new transport is its name in names.ts, one
// entry here and its own files in this folder: the engine and request verification read only
// this map (the options, only names.ts).
import type { TransportKind } from "./kind.js";
import { isTransportName, type TransportName } from "./names.js";
import { pollingKind } from "./polling-kind.js";
import { websocketKind } from "./websocket-kind.js";

/** The transport registry: `name → { create, handlesUpgrade, upgradesTo }`. */
export const TRANSPORTS: Readonly<Record<TransportName, TransportKind>> = {
  polling: pollingKind,
  websocket: websocketKind,
};

/** The registry entry of `name`, or undefined for an unknown name. */
export function transportKind(name: string | null): TransportKind | undefined {
  return isTransportName(name) ? TRANSPORTS[name] : undefined;
}

/** The transports a session on `name` may upgrade to among `enabled` ones. */
export function upgradesOf(name: string, enabled: readonly string[]): string[] {
  const kind = transportKind(name);
  return kind === undefined ? [] : kind.upgradesTo.filter((next) => enabled.includes(next));
}
