// The session records of recovery across nodes in a JetStream KV bucket (one per subject prefix,
// keys `{nsp}.s.{pid}` and `{nsp}.n.{node}`). Every write is a compare-and-set on the key's
// revision, so ownership holds without locks: a node writes or drops a record only while it
// owns it, and a restore claims it once (the second claimer's revision no longer matches).
import { type JetStreamClient, type JetStreamManager, StorageType } from "@nats-io/jetstream";
import { type KV, type KvEntry, Kvm } from "@nats-io/kv";
import { millis, nanos } from "@nats-io/nats-core";
import type { SessionStore, SessionWrite } from "@switchyard/server";
import { isConflict, isNoStream } from "./jetstream-errors.js";
import type { NatsHistoryOptions } from "./options.js";
import {
  decodeSession,
  decodeTime,
  encodeSession,
  encodeTime,
  type StoredSession,
} from "./session-value.js";
import { encodeToken } from "./subjects.js";

/** Compare-and-set attempts before a write gives up (each lost one means another writer won). */
const ATTEMPTS = 3;
/** Revisions of this node's own writes kept to skip a read (about 100 bytes each). */
const MAX_REVISIONS = 65_536;

/**
 * Opens the session bucket (created by the first node), keeping entries at least `ttlMs`: an
 * existing bucket that keeps them for less is updated.
 */
export async function openSessionBucket(
  js: JetStreamClient,
  jsm: JetStreamManager,
  bucket: string,
  options: NatsHistoryOptions,
  ttlMs: number,
): Promise<KV> {
  const kv = await new Kvm(js).create(bucket, {
    history: 1,
    ttl: ttlMs,
    storage: options.storage === "memory" ? StorageType.Memory : StorageType.File,
    replicas: options.replicas ?? 1,
    description: "switchyard: session records (connection state recovery across nodes)",
    // Reads through the stream's leader (STREAM.MSG.GET): nats-server 2.9 may leave a direct get
    // on a bucket made a moment ago unanswered until the request times out.
    allow_direct: false,
  });
  const stream = `KV_${bucket}`;
  const info = await jsm.streams.info(stream);
  const maxAge = info.config.max_age;
  if (maxAge !== 0 && millis(maxAge) < ttlMs) {
    await jsm.streams.update(stream, { max_age: nanos(ttlMs) });
  }
  return kv;
}

/** Where the bucket comes from: opened (made) on demand, and told when it is gone. */
export interface SessionBucket {
  open(): Promise<KV>;
  lost(): void;
}

/** The session records of namespace `nsp` in `bucket`. */
export class KvSessionStore implements SessionStore {
  readonly #bucket: SessionBucket;
  readonly #base: string;
  /** The revision of each owner's last write of each record key (`owner NUL key`). */
  readonly #revisions: Map<string, number> = new Map();

  constructor(bucket: SessionBucket, nsp: string) {
    this.#bucket = bucket;
    this.#base = encodeToken(nsp);
  }

  /**
   * Runs `op` on the bucket. A bucket that is gone (a memory-storage restart) is made again:
   * a read then finds nothing (`lost`), a write is made once more in the new bucket.
   */
  async #use<T>(op: (kv: KV) => Promise<T>, lost: (() => T) | undefined): Promise<T> {
    try {
      return await op(await this.#bucket.open());
    } catch (err) {
      if (!isNoStream(err)) throw err;
      this.#bucket.lost();
      if (lost !== undefined) return lost();
      return op(await this.#bucket.open());
    }
  }

  save(owner: string, records: SessionWrite[]): Promise<void> {
    return this.#use(
      (kv) => settleAll(records.map((record) => this.#write(kv, owner, record))),
      undefined,
    );
  }

  drop(owner: string, pids: string[]): Promise<void> {
    return this.#use((kv) => this.#dropOwned(kv, owner, pids), noop);
  }

  async #dropOwned(kv: KV, owner: string, pids: string[]): Promise<void> {
    await settleAll(
      pids.map(async (pid) => {
        const key = this.#recordKey(pid);
        const mine = `${owner}\u0000${key}`;
        const known = this.#revisions.get(mine);
        this.#revisions.delete(mine);
        // Our last write is still the last revision: delete it in one round trip.
        if (known !== undefined) {
          const deleted = await kv.delete(key, { previousSeq: known }).then(
            () => true,
            (err: unknown) => {
              unlessConflict(err);
              return false;
            },
          );
          if (deleted) return;
        }
        const entry = await kv.get(key);
        if (entry === null || entry.operation !== "PUT") return;
        if (decodeSession(entry.value)?.owner !== owner) return;
        // Conditional: a claim that came in between wins, and its record stays.
        await kv.delete(key, { previousSeq: entry.revision }).catch(unlessConflict);
      }),
    );
  }

  peek(pid: string): Promise<Uint8Array | undefined> {
    return this.#use(async (kv) => {
      const current = live(await kv.get(this.#recordKey(pid)));
      return current === undefined || current.claimed ? undefined : current.value;
    }, none);
  }

  claim(owner: string, pid: string, ttlMs: number): Promise<Uint8Array | undefined> {
    return this.#use((kv) => this.#claimOnce(kv, owner, pid, ttlMs), none);
  }

  async #claimOnce(
    kv: KV,
    owner: string,
    pid: string,
    ttlMs: number,
  ): Promise<Uint8Array | undefined> {
    const key = this.#recordKey(pid);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const entry = await kv.get(key);
      const current = live(entry);
      if (entry === null || current === undefined || current.claimed) return undefined;
      const claimed = encodeSession({
        owner,
        expiresAt: Date.now() + ttlMs,
        claimed: true,
        value: new Uint8Array(0),
      });
      try {
        // The claimer owns it now: its next write (the restored socket's) needs no read.
        this.#remember(`${owner}\u0000${key}`, await kv.update(key, claimed, entry.revision));
        return current.value;
      } catch (err) {
        // Another claim, or the owner's refresh, came first: read again.
        unlessConflict(err);
      }
    }
    return undefined;
  }

  touch(uid: string, ttlMs: number): Promise<void> {
    return this.#use(async (kv) => {
      const now = Date.now();
      const value = encodeTime(now);
      const entry = { owner: uid, expiresAt: now + ttlMs, claimed: false, value };
      await kv.put(this.#nodeKey(uid), encodeSession(entry));
    }, undefined);
  }

  lastSeen(uid: string): Promise<number | undefined> {
    return this.#use(async (kv) => {
      const current = live(await kv.get(this.#nodeKey(uid)));
      return current === undefined || current.owner !== uid ? undefined : decodeTime(current.value);
    }, none);
  }

  /**
   * Writes one record unless a live record of another node is there. One round trip when this
   * node's last write is still the record's last revision, or when there is no record yet.
   */
  async #write(kv: KV, owner: string, record: SessionWrite): Promise<void> {
    const key = this.#recordKey(record.pid);
    const bytes = encodeSession({
      owner,
      expiresAt: Date.now() + record.ttlMs,
      claimed: false,
      value: record.value,
    });
    const mine = `${owner}\u0000${key}`;
    const known = this.#revisions.get(mine);
    try {
      this.#remember(
        mine,
        known === undefined ? await kv.create(key, bytes) : await kv.update(key, bytes, known),
      );
      return;
    } catch (err) {
      // Someone else wrote it (a claim) or it exists: read it and decide.
      unlessConflict(err);
      this.#revisions.delete(mine);
    }
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const entry = await kv.get(key);
      const current = live(entry);
      if (current !== undefined && current.owner !== owner) return;
      try {
        this.#remember(
          mine,
          entry === null
            ? await kv.create(key, bytes)
            : await kv.update(key, bytes, entry.revision),
        );
        return;
      } catch (err) {
        unlessConflict(err);
      }
    }
  }

  /** Keeps the revision of an owner's last write of a key (bounded: the oldest go first). */
  #remember(mine: string, revision: number): void {
    this.#revisions.delete(mine);
    this.#revisions.set(mine, revision);
    if (this.#revisions.size > MAX_REVISIONS) {
      const oldest = this.#revisions.keys().next();
      if (oldest.done !== true) this.#revisions.delete(oldest.value);
    }
  }

  #recordKey(pid: string): string {
    return `${this.#base}.s.${encodeToken(pid)}`;
  }

  #nodeKey(uid: string): string {
    return `${this.#base}.n.${encodeToken(uid)}`;
  }
}

/** The entry's record while it counts (written, decodable, not expired). */
function live(entry: KvEntry | null): StoredSession | undefined {
  if (entry === null || entry.operation !== "PUT") return undefined;
  const stored = decodeSession(entry.value);
  return stored === undefined || stored.expiresAt < Date.now() ? undefined : stored;
}

/** Swallows a lost compare-and-set (wrong last sequence); rethrows anything else. */
function unlessConflict(err: unknown): void {
  if (!isConflict(err)) throw err;
}

function noop(): void {}

function none(): undefined {
  return undefined;
}

/** Waits for every promise; rejects with the first failure once all settled. */
async function settleAll(promises: Array<Promise<void>>): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((result) => result.status === "rejected");
  if (failed !== undefined) throw failed.reason;
}
