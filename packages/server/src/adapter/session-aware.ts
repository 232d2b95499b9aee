// The in-memory adapter with connection state recovery: stores sessions of recoverable
// disconnections and the EVENT packets broadcast since, each tagged with an offset.
import type { Packet } from "@switchyard/protocol";
import { PacketType } from "@switchyard/protocol";
import { nextOffset } from "../recovery/offset.js";
import type {
  AdapterNamespace,
  BroadcastOptions,
  PrivateSessionId,
  Room,
  Session,
  SessionToPersist,
} from "./adapter.js";
import { Adapter } from "./in-memory.js";

/** How often expired sessions and packets are swept. */
const SWEEP_INTERVAL_MS = 60_000;

interface StoredPacket {
  id: string;
  emittedAt: number;
  data: unknown[];
  rooms: Set<Room>;
  except: Set<Room>;
}

interface StoredSession extends SessionToPersist {
  disconnectedAt: number;
}

/** The default adapter when `connectionStateRecovery` is on. */
export class SessionAwareAdapter extends Adapter {
  /** Recovery attempts by outcome (read by `/metrics`), as the cluster adapters count them. */
  readonly recoveryCounters: {
    hits: number;
    misses: { offset: number; session: number; expired: number };
    replayed: number;
  } = { hits: 0, misses: { offset: 0, session: 0, expired: 0 }, replayed: 0 };
  readonly #sessions = new Map<PrivateSessionId, StoredSession>();
  readonly #packets: StoredPacket[] = [];
  readonly #maxDisconnectionMs: number;
  readonly #sweep: NodeJS.Timeout;

  constructor(nsp: AdapterNamespace) {
    super(nsp);
    this.#maxDisconnectionMs = nsp.recovery?.maxDisconnectionDuration ?? 120_000;
    this.#sweep = setInterval(() => this.sweep(Date.now()), SWEEP_INTERVAL_MS);
    this.#sweep.unref();
  }

  override close(): Promise<void> | void {
    clearInterval(this.#sweep);
  }

  /** Drops the sessions and packets older than `maxDisconnectionDuration`. */
  sweep(now: number): void {
    const threshold = now - this.#maxDisconnectionMs;
    for (const [pid, session] of this.#sessions) {
      if (session.disconnectedAt < threshold) this.#sessions.delete(pid);
    }
    let expired = 0;
    while (expired < this.#packets.length && (this.#packets[expired]?.emittedAt ?? 0) < threshold) {
      expired++;
    }
    if (expired > 0) this.#packets.splice(0, expired);
  }

  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    const isStored =
      packet.type === PacketType.EVENT &&
      packet.id === undefined &&
      opts.flags?.volatile !== true &&
      Array.isArray(packet.data);
    if (isStored && Array.isArray(packet.data)) {
      const offset = nextOffset();
      packet.data.push(offset);
      this.#packets.push({
        id: offset,
        emittedAt: Date.now(),
        data: packet.data,
        rooms: opts.rooms,
        except: opts.except ?? new Set(),
      });
    }
    super.broadcast(packet, opts);
  }

  override persistSession(session: SessionToPersist): Promise<void> | void {
    this.#sessions.set(session.pid, { ...session, disconnectedAt: Date.now() });
  }

  override restoreSession(pid: PrivateSessionId, offset: string): Session | null {
    const counters = this.recoveryCounters;
    const session = this.#sessions.get(pid);
    if (session === undefined) {
      counters.misses.session++;
      return null;
    }
    if (session.disconnectedAt + this.#maxDisconnectionMs < Date.now()) {
      this.#sessions.delete(pid);
      counters.misses.expired++;
      return null;
    }
    const index = this.#packets.findIndex((packet) => packet.id === offset);
    if (index === -1) {
      counters.misses.offset++;
      return null;
    }
    const missedPackets: unknown[][] = [];
    for (const packet of this.#packets.slice(index + 1)) {
      if (reaches(session.rooms, packet)) missedPackets.push(packet.data);
    }
    this.#sessions.delete(pid);
    counters.hits++;
    counters.replayed += missedPackets.length;
    return {
      sid: session.sid,
      pid: session.pid,
      rooms: session.rooms,
      data: session.data,
      missedPackets,
    };
  }
}

/** Whether a stored broadcast would have reached a socket in `rooms`. */
function reaches(rooms: Room[], packet: StoredPacket): boolean {
  const included = packet.rooms.size === 0 || rooms.some((room) => packet.rooms.has(room));
  const excluded = rooms.some((room) => packet.except.has(room));
  return included && !excluded;
}
