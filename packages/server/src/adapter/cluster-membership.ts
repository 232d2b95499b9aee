// Cluster membership by heartbeat: who is alive (any message counts as a sign of life), when to
// send the next heartbeat (only after a quiet interval), and who to forget (silent too long, or
// said ADAPTER_CLOSE), and what each peer said it understands (the features of its heartbeats).
import { EMITTER_UID } from "./cluster-message.js";

/** Heartbeat settings of a cluster adapter. */
export interface HeartbeatOptions {
  /**
   * How long a node may stay quiet before it sends a HEARTBEAT, in ms.
   * @default 5000
   */
  heartbeatInterval?: number;
  /**
   * How long a peer may stay silent before it is dropped from the members, in ms.
   * @default 10000
   */
  heartbeatTimeout?: number;
}

/** Default heartbeat settings (as socket.io-adapter's ClusterAdapterWithHeartbeat). */
export const HEARTBEAT_DEFAULTS: Readonly<Required<HeartbeatOptions>> = {
  heartbeatInterval: 5000,
  heartbeatTimeout: 10_000,
};

/** Hooks the membership calls into its adapter. */
export interface MembershipHooks {
  /** Sends one HEARTBEAT to every node. */
  sendHeartbeat(): void;
  /** A node joined (first message seen). */
  nodeJoined(uid: string): void;
  /** A node left (ADAPTER_CLOSE or heartbeat timeout). */
  nodeLeft(uid: string, reason: "close" | "timeout"): void;
}

/** The live members as seen by one adapter. */
export class Membership {
  readonly #lastSeen: Map<string, number> = new Map();
  /** Each live peer's feature bits, from its last heartbeat (0 until one arrives). */
  readonly #features: Map<string, number> = new Map();
  /** Nodes that said ADAPTER_CLOSE, with when: a late message must not bring them back. */
  readonly #departed: Map<string, number> = new Map();
  readonly #hooks: MembershipHooks;
  readonly #interval: number;
  readonly #timeout: number;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;

  constructor(hooks: MembershipHooks, options: HeartbeatOptions = {}) {
    this.#hooks = hooks;
    this.#interval = options.heartbeatInterval ?? HEARTBEAT_DEFAULTS.heartbeatInterval;
    this.#timeout = options.heartbeatTimeout ?? HEARTBEAT_DEFAULTS.heartbeatTimeout;
  }

  /** Ids of the live peers (this node excluded). */
  get peers(): string[] {
    return [...this.#lastSeen.keys()];
  }

  /** The number of live peers. */
  get size(): number {
    return this.#lastSeen.size;
  }

  /** Whether `uid` is a live peer. */
  has(uid: string): boolean {
    return this.#lastSeen.has(uid);
  }

  /** Starts the heartbeat and sweep timers (unref'd: they never keep the process alive). */
  start(): void {
    this.stop();
    this.#heartbeatTimer = setTimeout(() => this.#beat(), this.#interval);
    this.#heartbeatTimer.unref();
    const sweepEvery = Math.max(10, Math.min(1000, Math.floor(this.#timeout / 4)));
    this.#sweepTimer = setInterval(() => this.sweep(), sweepEvery);
    this.#sweepTimer.unref();
  }

  /** Stops the timers and forgets every peer (without reporting them as left). */
  stop(): void {
    if (this.#heartbeatTimer !== undefined) clearTimeout(this.#heartbeatTimer);
    if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer);
    this.#heartbeatTimer = undefined;
    this.#sweepTimer = undefined;
  }

  /** This node published something: the next heartbeat is due one interval from now. */
  published(): void {
    this.#heartbeatTimer?.refresh();
  }

  /**
   * A message arrived from `uid`: it is alive. `features`: the bits a heartbeat carried
   * (undefined for other messages, which leave the known bits as they are).
   */
  seen(uid: string, features?: number): void {
    // Node ids are random per adapter instance: a departed id never comes back for real, but a
    // message it sent before closing may arrive after ADAPTER_CLOSE on a bus without ordering.
    if (uid === EMITTER_UID || this.#departed.has(uid)) return;
    const known = this.#lastSeen.has(uid);
    this.#lastSeen.set(uid, Date.now());
    if (features !== undefined) this.#features.set(uid, features);
    else if (!known) this.#features.set(uid, 0);
    if (!known) this.#hooks.nodeJoined(uid);
  }

  /** Whether every live peer announced `feature` (true without peers). */
  everyPeerHas(feature: number): boolean {
    for (const features of this.#features.values()) if ((features & feature) === 0) return false;
    return true;
  }

  /** `uid` said ADAPTER_CLOSE. */
  closed(uid: string): void {
    this.#departed.set(uid, Date.now());
    this.#features.delete(uid);
    if (this.#lastSeen.delete(uid)) this.#hooks.nodeLeft(uid, "close");
  }

  /** Drops the peers silent for longer than the timeout. */
  sweep(now: number = Date.now()): void {
    for (const [uid, at] of this.#departed) {
      if (now - at > this.#timeout) this.#departed.delete(uid);
    }
    for (const [uid, lastSeen] of this.#lastSeen) {
      if (now - lastSeen > this.#timeout) {
        this.#lastSeen.delete(uid);
        this.#features.delete(uid);
        this.#hooks.nodeLeft(uid, "timeout");
      }
    }
  }

  #beat(): void {
    this.#hooks.sendHeartbeat();
    this.#heartbeatTimer?.refresh();
  }
}
