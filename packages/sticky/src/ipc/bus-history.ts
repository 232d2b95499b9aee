// The worker's half of the IPC recovery history: a ClusterHistory whose every call is one request
// to the relay in the primary (cluster/ipc-relay-history.ts answers). Replies are peer input: a malformed
// one rejects the call (the recovery engine counts and reports it), never throws past it.
import type {
  ClusterHistory,
  ClusterTarget,
  HistoryEntry,
  HistoryRead,
  LogPosition,
} from "@switchyard/server";
import type { HistoryOp } from "./history-message.js";

/** Sends one history request for namespace `nsp` and resolves with the relay's value. */
export type HistoryRequester = (nsp: string, op: HistoryOp, args: unknown[]) => Promise<unknown>;

/** The history of namespace `nsp`, kept by the relay. */
export function ipcHistory(nsp: string, request: HistoryRequester): ClusterHistory {
  const call = (op: HistoryOp, ...args: unknown[]): Promise<unknown> => request(nsp, op, args);
  const base64 = (bytes: Uint8Array): string =>
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  const bytesOf = (value: unknown): Uint8Array | undefined => {
    if (value === null) return undefined;
    if (typeof value !== "string") throw malformed();
    return Buffer.from(value, "base64");
  };
  return {
    async open(): Promise<string> {
      const epoch = await call("open");
      if (typeof epoch !== "string") throw malformed();
      return epoch;
    },
    async append(target: ClusterTarget, payload: Uint8Array): Promise<void> {
      await call("append", target, base64(payload));
    },
    async fence(uid: string, payload: Uint8Array): Promise<void> {
      await call("fence", uid, base64(payload));
    },
    async read(targets: ClusterTarget[], from: LogPosition): Promise<HistoryRead> {
      return readResult(await call("read", targets, { major: from.major, minor: from.minor }));
    },
    sessions: {
      async save(owner, writes): Promise<void> {
        const wire = writes.map((w) => ({ pid: w.pid, value: base64(w.value), ttlMs: w.ttlMs }));
        await call("save", owner, wire);
      },
      async drop(owner, pids): Promise<void> {
        await call("drop", owner, pids);
      },
      async peek(pid): Promise<Uint8Array | undefined> {
        return bytesOf(await call("peek", pid));
      },
      async claim(owner, pid, ttlMs): Promise<Uint8Array | undefined> {
        return bytesOf(await call("claim", owner, pid, ttlMs));
      },
      async touch(uid, ttlMs): Promise<void> {
        await call("touch", uid, ttlMs);
      },
      async lastSeen(uid): Promise<number | undefined> {
        const at = await call("lastSeen", uid);
        if (at === null) return undefined;
        if (typeof at !== "number" || !Number.isFinite(at)) throw malformed();
        return at;
      },
    },
  };
}

function readResult(value: unknown): HistoryRead {
  if (typeof value !== "object" || value === null) throw malformed();
  const { ok, reason, epoch, entries } = value as Record<string, unknown>;
  if (ok === false && (reason === "trimmed" || reason === "epoch")) return { ok: false, reason };
  if (ok !== true || typeof epoch !== "string" || !Array.isArray(entries)) throw malformed();
  const read: HistoryEntry[] = [];
  for (const entry of entries as unknown[]) {
    const { major, minor, payload } = (entry ?? {}) as Record<string, unknown>;
    if (typeof major !== "number" || typeof minor !== "number" || typeof payload !== "string") {
      throw malformed();
    }
    read.push({ major, minor, payload: Buffer.from(payload, "base64") });
  }
  return { ok: true, epoch, entries: read };
}

function malformed(): Error {
  return new Error("malformed history reply from the IPC relay");
}
