// Messages of the IPC adapter between node:cluster workers and the relay in the primary. They
// carry their own marker (distinct from the sticky routing messages) so that every other IPC
// message — the application's, the sticky router's — is left alone. Payloads are the cluster
// adapter's msgpack bytes as base64: the default IPC serialization is JSON.
import type { ClusterTarget, DeliveredPosition } from "@switchyard/server";
import { IPC_ADAPTER_MARKER } from "./adapter-marker.js";
import {
  type HistoryReply,
  type HistoryRequest,
  readHistoryReply,
  readHistoryRequest,
  readPosition,
} from "./history-message.js";

export { IPC_ADAPTER_MARKER } from "./adapter-marker.js";

type Marked = { marker: typeof IPC_ADAPTER_MARKER };

/** Worker → relay: deliver `payload` to the other workers subscribed to `(nsp, target)`. */
export type PublishMessage = Marked & {
  kind: "publish";
  nsp: string;
  target: ClusterTarget;
  payload: string;
};

/** Worker → relay: start relaying `(nsp, target)` here; the relay answers `subscribed` with `id`. */
export type SubscribeMessage = Marked & {
  kind: "subscribe";
  nsp: string;
  target: ClusterTarget;
  id: number;
};

/** Worker → relay: stop relaying `(nsp, target)` here. */
export type UnsubscribeMessage = Marked & {
  kind: "unsubscribe";
  nsp: string;
  target: ClusterTarget;
};

/** Anything a worker's bus sends to the relay. */
export type WorkerToRelayMessage =
  | PublishMessage
  | SubscribeMessage
  | UnsubscribeMessage
  | HistoryRequest;

/**
 * Relay → worker: a payload published to a topic this worker subscribed to; an ordered one (an
 * append to the recovery history, or a fence) carries its position.
 */
export type DeliverMessage = Marked & {
  kind: "deliver";
  topic: string;
  payload: string;
  position?: DeliveredPosition;
};

/** Relay → worker: the subscription `id` is in place. */
export type SubscribedMessage = Marked & { kind: "subscribed"; id: number };

/** A cluster node (one namespace adapter) that lived in a worker that is gone. */
export interface GoneNode {
  nsp: string;
  uid: string;
}

/** Relay → worker: a worker died or disconnected; these adapters will never answer again. */
export type GoneMessage = Marked & { kind: "gone"; nodes: GoneNode[] };

/** Anything the relay sends to a worker's bus. */
export type RelayToWorkerMessage = DeliverMessage | SubscribedMessage | GoneMessage | HistoryReply;

/** The result of reading an IPC value: ours, someone else's, or ours but malformed. */
export type ReadResult<M> =
  | { ok: true; message: M }
  | { ok: false; reason: "foreign" | "malformed" };

/** The relay's key of a topic: unambiguous whatever the namespace and room names contain. */
export function topicKey(nsp: string, target: ClusterTarget): string {
  switch (target.kind) {
    case "all":
      return JSON.stringify([nsp, "all"]);
    case "room":
      return JSON.stringify([nsp, "room", target.room]);
    default:
      return JSON.stringify([nsp, "node", target.uid]);
  }
}

const FOREIGN = { ok: false, reason: "foreign" } as const;
const MALFORMED = { ok: false, reason: "malformed" } as const;

function fieldsOf(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  return fields["marker"] === IPC_ADAPTER_MARKER ? fields : undefined;
}

/** Reads a cluster target sent over IPC; undefined when malformed. */
export function readTarget(value: unknown): ClusterTarget | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const target = value as Record<string, unknown>;
  const { kind, room, uid } = target;
  if (kind === "all") return { kind };
  if (kind === "room" && typeof room === "string") return { kind, room };
  if (kind === "node" && typeof uid === "string") return { kind, uid };
  return undefined;
}

function isId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** Reads a worker's message in the relay; never throws. */
export function readWorkerMessage(value: unknown): ReadResult<WorkerToRelayMessage> {
  const fields = fieldsOf(value);
  if (fields === undefined) return FOREIGN;
  if (fields["kind"] === "history") {
    const request = readHistoryRequest(fields);
    return request === undefined ? MALFORMED : { ok: true, message: request };
  }
  const { kind, nsp, payload, id } = fields;
  const target = readTarget(fields["target"]);
  if (typeof nsp !== "string" || target === undefined) return MALFORMED;
  const marker = IPC_ADAPTER_MARKER;
  switch (kind) {
    case "publish":
      return typeof payload === "string"
        ? { ok: true, message: { marker, kind, nsp, target, payload } }
        : MALFORMED;
    case "subscribe":
      return isId(id) ? { ok: true, message: { marker, kind, nsp, target, id } } : MALFORMED;
    case "unsubscribe":
      return { ok: true, message: { marker, kind, nsp, target } };
    default:
      return MALFORMED;
  }
}

function readGoneNodes(value: unknown): GoneNode[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const nodes: GoneNode[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== "object" || item === null) return undefined;
    const { nsp, uid } = item as Record<string, unknown>;
    if (typeof nsp !== "string" || typeof uid !== "string") return undefined;
    nodes.push({ nsp, uid });
  }
  return nodes;
}

/** Reads a relay's message in a worker; never throws. */
export function readRelayMessage(value: unknown): ReadResult<RelayToWorkerMessage> {
  const fields = fieldsOf(value);
  if (fields === undefined) return FOREIGN;
  const marker = IPC_ADAPTER_MARKER;
  const { kind, topic, payload, id } = fields;
  switch (kind) {
    case "deliver": {
      if (typeof topic !== "string" || typeof payload !== "string") return MALFORMED;
      if (fields["position"] === undefined) {
        return { ok: true, message: { marker, kind, topic, payload } };
      }
      const position = readPosition(fields["position"]);
      return position === undefined
        ? MALFORMED
        : { ok: true, message: { marker, kind, topic, payload, position } };
    }
    case "history-reply": {
      const reply = readHistoryReply(fields);
      return reply === undefined ? MALFORMED : { ok: true, message: reply };
    }
    case "subscribed":
      return isId(id) ? { ok: true, message: { marker, kind, id } } : MALFORMED;
    case "gone": {
      const nodes = readGoneNodes(fields["nodes"]);
      return nodes === undefined ? MALFORMED : { ok: true, message: { marker, kind, nodes } };
    }
    default:
      return MALFORMED;
  }
}
