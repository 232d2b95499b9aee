// Requests of the IPC adapter's recovery history (connection state recovery across workers): the
// history lives in the primary's relay (a MemoryHistory: a worker may crash, the primary keeps
// it), and each worker's bus asks for it with these messages. Payloads travel as base64 (the
// default IPC serialization is JSON). Read on both sides without throwing.
import type { LogPosition } from "@switchyard/server";
import { IPC_ADAPTER_MARKER } from "./adapter-marker.js";

/** What a worker asks of the history (one per ClusterHistory / SessionStore method). */
export type HistoryOp =
  | "open"
  | "append"
  | "fence"
  | "read"
  | "save"
  | "drop"
  | "peek"
  | "claim"
  | "touch"
  | "lastSeen";

const OPS: ReadonlySet<string> = new Set<HistoryOp>([
  "open",
  "append",
  "fence",
  "read",
  "save",
  "drop",
  "peek",
  "claim",
  "touch",
  "lastSeen",
]);

/** Worker → relay: one history operation of namespace `nsp`; the relay answers with `id`. */
export interface HistoryRequest {
  marker: typeof IPC_ADAPTER_MARKER;
  kind: "history";
  id: number;
  nsp: string;
  op: HistoryOp;
  args: unknown[];
}

/** Relay → worker: the outcome of request `id`. */
export interface HistoryReply {
  marker: typeof IPC_ADAPTER_MARKER;
  kind: "history-reply";
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

/** Reads a history request (its marker already checked); undefined when malformed. */
export function readHistoryRequest(fields: Record<string, unknown>): HistoryRequest | undefined {
  const { id, nsp, op, args } = fields;
  if (!isId(id) || typeof nsp !== "string" || typeof op !== "string" || !OPS.has(op)) {
    return undefined;
  }
  if (!Array.isArray(args)) return undefined;
  return { marker: IPC_ADAPTER_MARKER, kind: "history", id, nsp, op: op as HistoryOp, args };
}

/** Reads a history reply (its marker already checked); undefined when malformed. */
export function readHistoryReply(fields: Record<string, unknown>): HistoryReply | undefined {
  const { id, ok, value, error } = fields;
  if (!isId(id) || typeof ok !== "boolean") return undefined;
  if (error !== undefined && typeof error !== "string") return undefined;
  const reply: HistoryReply = { marker: IPC_ADAPTER_MARKER, kind: "history-reply", id, ok, value };
  if (error !== undefined) reply.error = error;
  return reply;
}

/** Reads a position carried by a delivery; undefined when absent or malformed. */
export function readPosition(value: unknown): (LogPosition & { epoch: string }) | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { epoch, major, minor } = value as Record<string, unknown>;
  if (typeof epoch !== "string" || !isCount(major) || !isCount(minor)) return undefined;
  return { epoch, major, minor };
}

function isId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
