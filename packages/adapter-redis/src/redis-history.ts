// The recovery history of one namespace in Redis (docs/recovery.md): one stream per room plus a
// namespace-wide one, written by the publisher in the same Lua script as its PUBLISH; positions
// from one clock stream per namespace; session records as owner-tagged hashes; signs of life as
// keys with a TTL. Every key and channel carries the namespace's hash tag (one Cluster slot).
import { randomBytes } from "node:crypto";
import type {
  ClusterHistory,
  ClusterTarget,
  HistoryEntry,
  HistoryRead,
  LogPosition,
  SessionStore,
  SessionWrite,
} from "@switchyard/server";
import { channelFor, encodePart, namespaceTag } from "./channels.js";
import { type BusClient, replyBytes, replyText, type Settled } from "./clients/bus-client.js";
import { runScript, runScriptThen } from "./clients/scripts.js";
import { HISTORY_SCRIPTS } from "./history-scripts.js";
import type { OrderedRetry } from "./ordered-retry.js";

/** Options of the history (the adapter's `history` option). */
export interface RedisHistoryOptions {
  /**
   * Most entries kept per room stream (`XADD … MAXLEN ~`); a client that missed more than that
   * in one room gets a new session.
   * @default 10000
   */
  maxLen?: number;
  /**
   * Replicas that must have a history write before it counts as stored (Redis `WAIT`). With
   * replicas and failover (Redis Cluster, Sentinel), set it to 1: a write the master took but did
   * not pass on before it died is then written again (receivers drop the copy), instead of being
   * lost. 0 trusts the master alone (a failover may lose its last writes).
   * @default 0
   */
  replicas?: number;
  /** How long a write waits for `replicas`, in ms; past it, the write is tried again. @default 200 */
  replicaTimeoutMs?: number;
}

/** Extra life of a room stream after its last entry, past `maxDisconnectionDuration`, in ms. */
const STREAM_TTL_MARGIN_MS = 60_000;

/** The history of namespace `nsp` under channel prefix `key`. */
export class RedisHistory implements ClusterHistory {
  readonly sessions: SessionStore;
  readonly #sharded: boolean;
  readonly #client: BusClient;
  readonly #retry: OrderedRetry;
  readonly #key: string;
  readonly #nsp: string;
  readonly #tag: string;
  readonly #maxLen: number;
  readonly #ttlMs: number;
  readonly #replicas: number;
  readonly #replicaTimeoutMs: number;

  /**
   * `client` runs the scripts; `sharded` publishes with SPUBLISH (the adapters' option); `retry`
   * holds appends and session writes in order through an outage, with the bus's publishes.
   */
  constructor(
    client: BusClient,
    retry: OrderedRetry,
    sharded: boolean,
    key: string,
    nsp: string,
    maxDisconnectionMs: number,
    options: RedisHistoryOptions = {},
  ) {
    this.#sharded = sharded;
    this.#client = client;
    this.#retry = retry;
    this.#key = key;
    this.#nsp = nsp;
    this.#tag = namespaceTag(key, nsp);
    this.#maxLen = options.maxLen ?? 10_000;
    this.#replicas = options.replicas ?? 0;
    this.#replicaTimeoutMs = options.replicaTimeoutMs ?? 200;
    this.#ttlMs = maxDisconnectionMs + STREAM_TTL_MARGIN_MS;
    this.sessions = this.#sessionStore();
  }

  async open(): Promise<string> {
    const epoch = await runScript(
      this.#client,
      HISTORY_SCRIPTS.open,
      [`${this.#tag}:e`],
      [newEpoch()],
    );
    const text = replyText(epoch);
    if (text === undefined) throw new Error("the history's epoch could not be read");
    return text;
  }

  async append(target: ClusterTarget, payload: Uint8Array): Promise<void> {
    await this.#script(this.#logKey(target), target, payload, "1");
  }

  async fence(uid: string, payload: Uint8Array): Promise<void> {
    await this.#script(`${this.#tag}:c`, { kind: "node", uid }, payload, "0");
  }

  async read(targets: ClusterTarget[], from: LogPosition): Promise<HistoryRead> {
    const keys = [...new Set(targets.map((target) => this.#logKey(target)))];
    const start = `${from.major}-${from.minor}`;
    // Each range before its stream's info: a trim between the two can only make us refuse.
    const commands = keys.flatMap((key) => [
      ["XRANGE", key, start, "+"],
      ["XINFO", "STREAM", key],
    ]);
    commands.push(["GET", `${this.#tag}:e`]);
    const results = await this.#client.pipeline(`${this.#tag}:e`, commands);
    const entries: HistoryEntry[] = [];
    for (let i = 0; i < keys.length; i++) {
      const read = readStream(results[2 * i], results[2 * i + 1], from);
      if (read === "trimmed") return { ok: false, reason: "trimmed" };
      entries.push(...read);
    }
    const epochResult = results[2 * keys.length];
    if (epochResult?.ok === false) throw epochResult.error;
    const epoch = replyText(epochResult?.value);
    if (epoch === undefined) return { ok: false, reason: "epoch" };
    return { ok: true, epoch, entries };
  }

  async #script(
    log: string,
    target: ClusterTarget,
    payload: Uint8Array,
    store: "0" | "1",
  ): Promise<void> {
    const sharded = this.#sharded;
    const channel = channelFor(this.#key, this.#nsp, target, true);
    const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    const keys = [`${this.#tag}:c`, `${this.#tag}:e`, log];
    const args = [
      channel,
      bytes,
      this.#maxLen,
      this.#ttlMs,
      newEpoch(),
      sharded ? "SPUBLISH" : "PUBLISH",
      store,
    ];
    const client = this.#client;
    const replicas = this.#replicas;
    if (replicas === 0) {
      await this.#retry.run(() => runScript(client, HISTORY_SCRIPTS.append, keys, args));
      return;
    }
    // On the same connection as the script (the key's node), then WAIT.
    const wait = ["WAIT", replicas, this.#replicaTimeoutMs];
    await this.#retry.run(async () => {
      const [append, waited] = await runScriptThen(
        client,
        HISTORY_SCRIPTS.append,
        keys,
        args,
        wait,
      );
      if (append?.ok === false) throw append.error;
      if (waited?.ok === false) throw waited.error;
      const acknowledged = waited?.value;
      if (typeof acknowledged !== "number" || acknowledged < replicas) {
        throw new Error(
          `the history write reached ${String(acknowledged)} of ${replicas} replicas`,
        );
      }
    });
  }

  #logKey(target: ClusterTarget): string {
    if (target.kind === "room") return `${this.#tag}:h:r:${encodePart(target.room)}`;
    return `${this.#tag}:h`;
  }

  #sessionStore(): SessionStore {
    const client = this.#client;
    const { save, drop, claim } = HISTORY_SCRIPTS;
    const retry = this.#retry;
    const recordKey = (pid: string): string => `${this.#tag}:s:${encodePart(pid)}`;
    const nodeKey = (uid: string): string => `${this.#tag}:n:${encodePart(uid)}`;
    return {
      async save(owner: string, writes: SessionWrite[]): Promise<void> {
        if (writes.length === 0) return;
        const keys = writes.map((write) => recordKey(write.pid));
        const values = writes.flatMap((write) => [Buffer.from(write.value), write.ttlMs]);
        await retry.run(() => runScript(client, save, keys, [owner, ...values]));
      },
      async drop(owner: string, pids: string[]): Promise<void> {
        if (pids.length === 0) return;
        const keys = pids.map(recordKey);
        await retry.run(() => runScript(client, drop, keys, [owner]));
      },
      async peek(pid: string): Promise<Uint8Array | undefined> {
        const key = recordKey(pid);
        const value = replyBytes(await client.command(key, ["HGET", key, "v"]));
        return value === undefined || value.byteLength === 0 ? undefined : value;
      },
      async claim(owner: string, pid: string, ttlMs: number): Promise<Uint8Array | undefined> {
        const value = replyBytes(await runScript(client, claim, [recordKey(pid)], [owner, ttlMs]));
        return value === undefined || value.byteLength === 0 ? undefined : value;
      },
      async touch(uid: string, ttlMs: number): Promise<void> {
        const at = String(Date.now());
        const key = nodeKey(uid);
        await retry.run(() => client.command(key, ["SET", key, at, "PX", ttlMs]));
      },
      async lastSeen(uid: string): Promise<number | undefined> {
        const key = nodeKey(uid);
        const value = replyText(await client.command(key, ["GET", key]));
        const at = value === undefined ? Number.NaN : Number(value);
        return Number.isFinite(at) ? at : undefined;
      },
    };
  }
}

/**
 * The entries of one stream from its XRANGE and XINFO STREAM replies, or "trimmed".
 * @package (exported for its tests)
 */
export function readStream(
  rangeResult: Settled | undefined,
  infoResult: Settled | undefined,
  from: LogPosition,
): HistoryEntry[] | "trimmed" {
  // A missing stream has no info: nothing was ever written there, or it expired idle.
  if (infoResult === undefined || !infoResult.ok) return [];
  if (rangeResult?.ok === false) throw rangeResult.error;
  if (trimmedSince(infoResult.value, from)) return "trimmed";
  const range = rangeResult?.value;
  const entries: HistoryEntry[] = [];
  if (!Array.isArray(range)) return entries;
  for (const entry of range as unknown[]) {
    if (!Array.isArray(entry)) continue;
    const [id, fields] = entry as [unknown, unknown];
    const payload = Array.isArray(fields) ? payloadOf(fields) : undefined;
    if (payload === undefined) continue;
    const position = parseId(id);
    if (position !== undefined)
      entries.push({ major: position.major, minor: position.minor, payload });
  }
  return entries;
}

const ZERO = 0x30;
const DASH = 0x2d;
/** The most digits of each half of a stream id. */
const ID_DIGITS = 16;
/** Up to 15 digits a running sum is exact; past that Number() reads them. */
const EXACT_DIGITS = 15;

/**
 * A stream id `<1–16 digits>-<1–16 digits>` from a reply (bytes or text), read by its character
 * codes: a restore reads one per missed event, so no string or regex match per entry.
 */
function parseId(id: unknown): LogPosition | undefined {
  if (!Buffer.isBuffer(id) && typeof id !== "string") return undefined;
  const dash = digitsEnd(id, 0);
  if (dash === undefined || dash === id.length || codeAt(id, dash) !== DASH) return undefined;
  const end = digitsEnd(id, dash + 1);
  if (end !== id.length) return undefined;
  return { major: numberOf(id, 0, dash), minor: numberOf(id, dash + 1, end) };
}

function codeAt(id: Buffer | string, i: number): number {
  return typeof id === "string" ? id.charCodeAt(i) : (id[i] as number);
}

/** Where the run of 1…16 digits at `start` ends, or undefined (none, or too many). */
function digitsEnd(id: Buffer | string, start: number): number | undefined {
  let i = start;
  while (i < id.length && i - start <= ID_DIGITS) {
    const digit = codeAt(id, i) - ZERO;
    if (digit < 0 || digit > 9) break;
    i++;
  }
  const digits = i - start;
  return digits === 0 || digits > ID_DIGITS ? undefined : i;
}

function numberOf(id: Buffer | string, start: number, end: number): number {
  if (end - start > EXACT_DIGITS) {
    return Number(
      typeof id === "string" ? id.slice(start, end) : id.toString("latin1", start, end),
    );
  }
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + (codeAt(id, i) - ZERO);
  return value;
}

/** The `d` field's value (the only field an entry has), or undefined. */
function payloadOf(fields: unknown[]): Buffer | undefined {
  const name = fields[0];
  if (fields.length === 2 && Buffer.isBuffer(name) && name.length === 1 && name[0] === FIELD_D) {
    return replyBytes(fields[1]);
  }
  return fieldValue(fields, "d");
}

const FIELD_D = 0x64;

function newEpoch(): string {
  return randomBytes(6).toString("base64url");
}

function fieldValue(fields: unknown[], name: string): Buffer | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (replyText(fields[i]) === name) return replyBytes(fields[i + 1]);
  }
  return undefined;
}

/**
 * Whether the stream dropped an entry at or after `from` (`max-deleted-entry-id` of XINFO STREAM,
 * Redis ≥ 7.0; without it nothing can be promised, so it counts as trimmed).
 */
function trimmedSince(info: unknown, from: LogPosition): boolean {
  if (!Array.isArray(info)) return true;
  const names = (info as unknown[]).map((field) => replyText(field));
  const index = names.indexOf("max-deleted-entry-id");
  if (index < 0) return true;
  const deleted = parseId(info[index + 1]);
  if (deleted === undefined) return true;
  if (deleted.major === 0 && deleted.minor === 0) return false;
  return (
    deleted.major > from.major || (deleted.major === from.major && deleted.minor >= from.minor)
  );
}
