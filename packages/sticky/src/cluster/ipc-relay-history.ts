// The relay's half of the IPC recovery history: it answers the workers' history requests from a
// MemoryHistory held in the primary, and delivers appends and fences to the subscribed workers
// with their position, in position order (one process, one counter per namespace). Requests are
// peer input: malformed arguments get an error reply, never a throw.
import {
  ALL_LOG,
  type ClusterTarget,
  type DeliveredPosition,
  type MemoryHistory,
  type SessionWrite,
} from "@switchyard/server";
import { IPC_ADAPTER_MARKER, readTarget } from "../ipc/adapter-message.js";
import type { HistoryReply, HistoryRequest } from "../ipc/history-message.js";

/** Delivers an ordered payload (base64) to the subscribers of a target, the sender included. */
export type OrderedDelivery = (
  nsp: string,
  target: ClusterTarget,
  payload: string,
  position: DeliveredPosition,
) => void;

/** Answers one history request. */
export function answerHistory(
  history: MemoryHistory,
  request: HistoryRequest,
  deliver: OrderedDelivery,
): HistoryReply {
  const reply = (value: unknown): HistoryReply => ({
    marker: IPC_ADAPTER_MARKER,
    kind: "history-reply",
    id: request.id,
    ok: true,
    value,
  });
  const value = run(history, request, deliver);
  if (value === MALFORMED) {
    return {
      marker: IPC_ADAPTER_MARKER,
      kind: "history-reply",
      id: request.id,
      ok: false,
      error: `malformed history request (${request.op})`,
    };
  }
  return reply(value);
}

const MALFORMED = Symbol("malformed");

function run(
  history: MemoryHistory,
  { nsp, op, args }: HistoryRequest,
  deliver: OrderedDelivery,
): unknown {
  switch (op) {
    case "open":
      return history.epoch(nsp);
    case "append": {
      const target = readTarget(args[0]);
      const payload = args[1];
      if (target === undefined || target.kind === "node" || typeof payload !== "string") {
        return MALFORMED;
      }
      const log = target.kind === "room" ? target.room : ALL_LOG;
      deliver(nsp, target, payload, history.append(nsp, log, Buffer.from(payload, "base64")));
      return null;
    }
    case "fence": {
      const [uid, payload] = args;
      if (typeof uid !== "string" || typeof payload !== "string") return MALFORMED;
      const position = history.append(nsp, undefined, Buffer.from(payload, "base64"));
      deliver(nsp, { kind: "node", uid }, payload, position);
      return null;
    }
    case "read":
      return read(history, nsp, args);
    default:
      return sessions(history, op, args);
  }
}

function read(history: MemoryHistory, nsp: string, args: unknown[]): unknown {
  const [targets, from] = args;
  if (!Array.isArray(targets) || typeof from !== "object" || from === null) return MALFORMED;
  const logs: string[] = [];
  for (const value of targets) {
    const target = readTarget(value);
    if (target === undefined || target.kind === "node") return MALFORMED;
    logs.push(target.kind === "room" ? target.room : ALL_LOG);
  }
  const { major, minor } = from as Record<string, unknown>;
  if (!isCount(major) || !isCount(minor)) return MALFORMED;
  const result = history.read(nsp, logs, { major, minor });
  if (!result.ok) return result;
  const entries = result.entries.map((entry) => ({
    major: entry.major,
    minor: entry.minor,
    payload: Buffer.from(entry.payload).toString("base64"),
  }));
  return { ok: true, epoch: result.epoch, entries };
}

function sessions(history: MemoryHistory, op: HistoryRequest["op"], args: unknown[]): unknown {
  const [a, b, c] = args;
  switch (op) {
    case "save": {
      const writes = readWrites(b);
      if (typeof a !== "string" || writes === undefined) return MALFORMED;
      history.save(a, writes);
      return null;
    }
    case "drop":
      if (typeof a !== "string" || !isStrings(b)) return MALFORMED;
      history.drop(a, b);
      return null;
    case "peek":
      return typeof a === "string" ? base64(history.peek(a)) : MALFORMED;
    case "claim":
      if (typeof a !== "string" || typeof b !== "string" || !isCount(c)) return MALFORMED;
      return base64(history.claim(a, b, c));
    case "touch":
      if (typeof a !== "string" || !isCount(b)) return MALFORMED;
      history.touch(a, b);
      return null;
    case "lastSeen":
      return typeof a === "string" ? (history.lastSeen(a) ?? null) : MALFORMED;
    default:
      return MALFORMED;
  }
}

function readWrites(value: unknown): SessionWrite[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const writes: SessionWrite[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== "object" || item === null) return undefined;
    const { pid, value: bytes, ttlMs } = item as Record<string, unknown>;
    if (typeof pid !== "string" || typeof bytes !== "string" || !isCount(ttlMs)) return undefined;
    writes.push({ pid, value: Buffer.from(bytes, "base64"), ttlMs });
  }
  return writes;
}

function base64(bytes: Uint8Array | undefined): string | null {
  return bytes === undefined ? null : Buffer.from(bytes).toString("base64");
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
