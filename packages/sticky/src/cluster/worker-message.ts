// Typed messages between the cluster primary and its workers over the node:cluster IPC channel.
// Every message carries a marker so that the application's own IPC traffic is left alone.

/** Marker present on every sticky IPC message. */
export const STICKY_IPC_MARKER = "switchyard:sticky";

/** Primary → worker: a WebSocket upgrade handed over with its socket (the IPC handle). */
export interface UpgradeMessage {
  marker: typeof STICKY_IPC_MARKER;
  kind: "upgrade";
  /** The request head (and any bytes after it), base64: the worker replays it on the socket. */
  head: string;
}

/** Worker → primary: the worker's private listener is up; it can take requests. */
export interface ReadyMessage {
  marker: typeof STICKY_IPC_MARKER;
  kind: "ready";
  nodeId: string;
}

/** Worker → primary: a socket handed over earlier has closed. */
export interface ReleasedMessage {
  marker: typeof STICKY_IPC_MARKER;
  kind: "released";
}

/** Any sticky IPC message. */
export type StickyIpcMessage = UpgradeMessage | ReadyMessage | ReleasedMessage;

/** Narrows an IPC value to a sticky message; anything else (the app's messages) → undefined. */
export function readIpcMessage(value: unknown): StickyIpcMessage | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const message = value as Record<string, unknown>;
  if (message["marker"] !== STICKY_IPC_MARKER) return undefined;
  switch (message["kind"]) {
    case "upgrade":
      return typeof message["head"] === "string"
        ? { marker: STICKY_IPC_MARKER, kind: "upgrade", head: message["head"] }
        : undefined;
    case "ready":
      return typeof message["nodeId"] === "string"
        ? { marker: STICKY_IPC_MARKER, kind: "ready", nodeId: message["nodeId"] }
        : undefined;
    case "released":
      return { marker: STICKY_IPC_MARKER, kind: "released" };
    default:
      return undefined;
  }
}

/** Environment variable naming the worker's private socket path. */
export const STICKY_SOCKET_ENV = "SWITCHYARD_STICKY_SOCKET";

/** Environment variable naming the worker's node id (read by the server's `nodeId` default). */
export const NODE_ID_ENV = "SWITCHYARD_NODE_ID";
